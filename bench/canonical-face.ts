/**
 * Builds the canonical face the pose fits use (src/faces/pose/canonical-face-mesh.ts): FaceMesh's 468
 * points averaged over the corpus's frontal clips, made left-right symmetric, in a frame whose
 * axes are those of docs/pose.md. Yaw and roll 0 are the face's plane of symmetry facing the
 * camera; pitch 0 is the mean head attitude of people speaking into the camera in those clips.
 * Also where SCRFD puts its nose keypoint on the same frontal faces, which is not exactly
 * FaceMesh's nose-tip vertex: the 5-keypoint reference uses it, so that both read them as pitch 0.
 *
 *   npx tsx bench/canonical-face.ts   # rewrites src/faces/pose/canonical-face-mesh.ts
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KPS5_VERTICES, meanOfVertices } from '../src/faces/pose/canonical-face.ts';
import type { Point } from '../src/faces/index.ts';
import { fitRigid3d, type Vec3 } from '../src/faces/pose/pose-math.ts';
import { FRONTAL_CLIPS, largestFace, openEmbedded, openScrfd, repoRoot, sampledFrames } from './lib/pose-clips.ts';

const OUTPUT = path.resolve(repoRoot, 'src/faces/pose/canonical-face-mesh.ts');
const SAMPLE_FPS = 2;

const analyzer = await openEmbedded(0.5);
const scrfd = await openScrfd(0.5);

const meshes: Vec3[][] = [];
const detectorKeypoints: Point[][] = [];
for (const clip of FRONTAL_CLIPS) {
  const frames = await sampledFrames(clip, SAMPLE_FPS);
  for (const faces of await analyzer.detect(frames)) {
    const speaker = largestFace(faces);
    if (speaker) meshes.push(normalised(speaker.mesh));
  }
  for (const faces of await scrfd.detect(frames)) {
    const speaker = largestFace(faces);
    if (speaker?.kps) detectorKeypoints.push(speaker.kps);
  }
  console.log(`${clip}: ${meshes.length} meshes, ${detectorKeypoints.length} SCRFD faces so far`);
}

// Averaged without rotating any face: their mean attitude is what "looking into the camera" is.
const mean = meshes[0]!.map((_, v) => average(meshes.map((m) => m[v]!)));
const mirror = mirrorPairs(mean);
const symmetric = symmetrised(mean, mirror);
const canonical = normalised(levelled(symmetric, mirror));
const noseY = detectorNoseY(canonical, detectorKeypoints);
await writeFile(OUTPUT, source(canonical, mirror, meshes.length, noseY, detectorKeypoints.length));
console.log(`wrote ${path.relative(repoRoot, OUTPUT)} from ${meshes.length} faces`);

/** Centred on the mean point and scaled to a root-mean-square radius of 1. */
function normalised(points: readonly Vec3[]): Vec3[] {
  const centre = average(points);
  const moved = points.map((p): Vec3 => [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]]);
  const radius = Math.sqrt(moved.reduce((sum, p) => sum + p[0] ** 2 + p[1] ** 2 + p[2] ** 2, 0) / moved.length);
  return moved.map((p): Vec3 => [p[0] / radius, p[1] / radius, p[2] / radius]);
}

function average(points: readonly Vec3[]): Vec3 {
  const sum: Vec3 = [0, 0, 0];
  for (const p of points) for (let k = 0; k < 3; k++) sum[k]! += p[k]! / points.length;
  return sum;
}

function reflect(p: Vec3): Vec3 {
  return [-p[0], p[1], p[2]];
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/**
 * For each vertex, the vertex on the other side of the face (itself on the midline). The mirror
 * image of the mesh is aligned onto the mesh and each vertex paired with the nearest mirrored one;
 * the alignment is redone with the pairs until they stop changing. The face is near frontal, so
 * the unaligned mirror image is a good first guess.
 */
function mirrorPairs(mesh: readonly Vec3[]): number[] {
  const mirrored = mesh.map(reflect);
  let aligned = mirrored;
  let pairs: number[] = [];
  for (let round = 0; round < 10; round++) {
    const next = mesh.map((p) => nearest(p, aligned));
    if (next.every((v, i) => v === pairs[i])) break;
    pairs = next;
    const fit = fitRigid3d(pairs.map((v) => mirrored[v]!), mesh);
    aligned = mirrored.map((p) => moveBy(fit, p));
  }
  const unpaired = pairs.filter((v, i) => pairs[v] !== i).length;
  if (unpaired > 0) console.log(`${unpaired} vertices whose mirror partner pairs with another vertex`);
  return pairs;
}

function nearest(p: Vec3, points: readonly Vec3[]): number {
  let best = 0;
  for (let i = 1; i < points.length; i++) if (distance(p, points[i]!) < distance(p, points[best]!)) best = i;
  return best;
}

function moveBy({ rotation, scale, translation }: ReturnType<typeof fitRigid3d>, p: Vec3): Vec3 {
  return rotation.map((row, k) => scale * (row[0] * p[0] + row[1] * p[1] + row[2] * p[2]) + translation[k]!) as Vec3;
}

/** The mean of the mesh and its mirror image aligned onto it, vertex by partner vertex. */
function symmetrised(mesh: readonly Vec3[], pairs: readonly number[]): Vec3[] {
  const mirrored = pairs.map((v) => reflect(mesh[v]!));
  const fit = fitRigid3d(mirrored, mesh);
  return mesh.map((p, i) => average([p, moveBy(fit, mirrored[i]!)]));
}

/**
 * Turned so that the plane of symmetry is x = 0, by the smallest rotation that takes its normal
 * onto the x axis: yaw and roll become 0 and the mean pitch of the clips is kept.
 */
function levelled(mesh: readonly Vec3[], pairs: readonly number[]): Vec3[] {
  const normal: Vec3 = [0, 0, 0];
  pairs.forEach((v, i) => {
    const across: Vec3 = [mesh[i]![0] - mesh[v]![0], mesh[i]![1] - mesh[v]![1], mesh[i]![2] - mesh[v]![2]];
    const sign = Math.sign(across[0]);
    for (let k = 0; k < 3; k++) normal[k]! += sign * across[k]!;
  });
  const length = Math.hypot(...normal);
  const [nx, ny, nz] = normal.map((c) => c / length) as Vec3;
  // Rotation taking n to x: about the axis n × x = (0, nz, -ny), by the angle between them.
  const sin = Math.hypot(ny, nz);
  const cos = nx;
  if (sin < 1e-12) return [...mesh];
  const [ax, ay, az] = [0, nz / sin, -ny / sin];
  const t = 1 - cos;
  const r = [
    [t * ax * ax + cos, t * ax * ay - sin * az, t * ax * az + sin * ay],
    [t * ax * ay + sin * az, t * ay * ay + cos, t * ay * az - sin * ax],
    [t * ax * az - sin * ay, t * ay * az + sin * ax, t * az * az + cos],
  ];
  return mesh.map((p) => r.map((row) => row[0]! * p[0] + row[1]! * p[1] + row[2]! * p[2]) as Vec3);
}

/**
 * The mean height of SCRFD's nose keypoint on the canonical face: each face's eyes and mouth
 * corners are taken onto the canonical face's (seen from the front) by the least-squares
 * similarity of the plane, and its nose keypoint with them. Across is 0 by symmetry.
 */
function detectorNoseY(mesh: readonly Vec3[], faces: readonly Point[][]): number {
  const reference = KPS5_VERTICES.map((vertices): Point => {
    const [x, y] = meanOfVertices(mesh, vertices);
    return [x, y];
  });
  const anchors = [0, 1, 3, 4];
  let sum = 0;
  for (const kps of faces) {
    const [ax, ay] = centroid(anchors.map((k) => reference[k]!));
    const [bx, by] = centroid(anchors.map((k) => kps[k]!));
    // Complex least squares: reference - a = c (observed - b), c = sum(r conj(o)) / sum |o|^2.
    let re = 0;
    let im = 0;
    let norm = 0;
    for (const k of anchors) {
      const [rx, ry] = [reference[k]![0] - ax, reference[k]![1] - ay];
      const [ox, oy] = [kps[k]![0] - bx, kps[k]![1] - by];
      re += rx * ox + ry * oy;
      im += ry * ox - rx * oy;
      norm += ox * ox + oy * oy;
    }
    const [nx, ny] = [kps[2]![0] - bx, kps[2]![1] - by];
    sum += ay + (im * nx + re * ny) / norm;
  }
  return sum / faces.length;
}

function centroid(points: readonly Point[]): Point {
  return [points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length];
}

function source(mesh: readonly Vec3[], pairs: readonly number[], faces: number, noseY: number, detectorFaces: number): string {
  // Rounded to 4 decimals (a ten-thousandth of the face's radius); midline x comes out as 0, not -0.
  const digits = (v: number) => (Math.abs(v) < 5e-5 ? 0 : v).toFixed(4);
  const rows = mesh.map((p) => `  [${p.map(digits).join(', ')}],`).join('\n');
  return `/**
 * Generated by bench/canonical-face.ts from ${faces} FaceMesh outputs of the corpus's frontal clips;
 * do not edit. FaceMesh's 468 vertices of a canonical face: x to the image's right, y down, z towards
 * the camera, centred, root-mean-square radius 1, symmetric about x = 0 (docs/pose.md).
 */

import type { Vec3 } from './pose-math.ts';

export const CANONICAL_MESH: readonly Vec3[] = [
${rows}
];

/** Each vertex's mirror partner across the face's plane of symmetry (itself on the midline). */
export const MIRROR_VERTEX: readonly number[] = [${pairs.join(', ')}];

/**
 * Where SCRFD puts its nose keypoint on the canonical face seen from the front (the y of the
 * canonical frame; x is 0), averaged over ${detectorFaces} faces of the same clips.
 */
export const DETECTOR_NOSE_TIP_Y = ${digits(noseY)};
`;
}
