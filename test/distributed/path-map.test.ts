import { describe, expect, it } from 'vitest';
import { mapInside, parsePathMap } from '../../src/distributed/path-map.ts';
import { redisOptions } from '../../src/distributed/connection.ts';

describe('--path-map and the roots a job may name', () => {
  const maps = parsePathMap(['/mnt/share=/data/share', '/mnt/share/videos=/fast/videos']);

  it('maps by the longest FROM that holds the path, and keeps paths inside the roots', () => {
    expect(mapInside('/mnt/share/videos/a.mp4', maps, ['/fast/videos'])).toBe('/fast/videos/a.mp4');
    expect(mapInside('/mnt/share/other/b.mp4', maps, ['/data/share'])).toBe('/data/share/other/b.mp4');
    expect(mapInside('/local/videos/c.mp4', [], ['/local/videos'])).toBe('/local/videos/c.mp4');
  });

  it('refuses a path that climbs out, one elsewhere, a relative one', () => {
    expect(mapInside('/mnt/share/videos/../../../etc/passwd', maps, ['/fast/videos', '/data/share'])).toBeUndefined();
    expect(mapInside('/etc/passwd', maps, ['/fast/videos'])).toBeUndefined();
    expect(mapInside('/fast/videos-evil/a.mp4', [], ['/fast/videos'])).toBeUndefined();
    expect(mapInside('videos/a.mp4', [], ['/fast/videos'])).toBeUndefined();
  });

  it('takes only FROM=TO with two absolute folders', () => {
    for (const bad of ['/a', '=/b', '/a=', 'a=/b', '/a=b']) expect(() => parsePathMap([bad]), bad).toThrow(/must be FROM=TO/);
  });
});

describe('--queue URLs', () => {
  it('reads user, password, database and TLS', () => {
    expect(redisOptions('rediss://me:s%40cret@queue-host:6380/2')).toMatchObject({
      host: 'queue-host',
      port: 6380,
      username: 'me',
      password: 's@cret',
      db: 2,
      tls: { servername: 'queue-host' },
    });
    expect(redisOptions('redis://queue-host')).toMatchObject({ host: 'queue-host', port: 6379 });
    expect(redisOptions('redis://queue-host').tls).toBeUndefined();
  });

  it('refuses what is not a redis URL', () => {
    expect(() => redisOptions('queue-host:6379')).toThrow(/only redis:\/\/ and rediss:\/\//);
    expect(() => redisOptions('http://queue-host')).toThrow(/only redis:\/\//);
    expect(() => redisOptions('redis://queue-host/x')).toThrow(/database number/);
  });
});
