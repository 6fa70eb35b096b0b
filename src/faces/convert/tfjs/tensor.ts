/** A constant tensor held in memory while converting: TensorFlow's row-major layout, NHWC for images. */
export interface HostTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
