import { DnsEndpoints, parseEndpoints, StaticEndpoints } from '../endpoints';

describe('worker endpoints', () => {
  it('parses a fixed list and one headless Service name, and nothing in between', async () => {
    const list = parseEndpoints(['10.0.0.1:50051', 'w2:50051']);
    expect(list).toBeInstanceOf(StaticEndpoints);
    expect(await list.list()).toEqual(['10.0.0.1:50051', 'w2:50051']);
    expect(parseEndpoints(['dns:///workers.f2f.svc:50051'])).toBeInstanceOf(DnsEndpoints);
    expect(() => parseEndpoints(['dns:///a:1', 'b:2'])).toThrow(/either one dns/);
    expect(() => parseEndpoints(['dns:///no-port'])).toThrow(/expected dns:\/\/\/host:port/);
  });

  it('resolves one address per pod, caches it, and keeps the last good answer when DNS fails', async () => {
    let answers: string[] | Error = ['10.0.0.9', '10.0.0.2'];
    let lookups = 0;
    const endpoints = new DnsEndpoints('workers', 50051, 0, async () => {
      lookups++;
      if (answers instanceof Error) throw answers;
      return answers;
    });
    expect(await endpoints.list()).toEqual(['10.0.0.2:50051', '10.0.0.9:50051']);
    answers = ['10.0.0.3'];
    expect(await endpoints.list()).toEqual(['10.0.0.3:50051']);
    answers = new Error('ENOTFOUND');
    expect(await endpoints.list()).toEqual(['10.0.0.3:50051']);
    expect(lookups).toBe(3);

    const cached = new DnsEndpoints('workers', 1, 60_000, async () => {
      lookups++;
      return ['10.1.1.1'];
    });
    await cached.list();
    await cached.list();
    expect(lookups).toBe(4);
    await expect(
      new DnsEndpoints('x', 1, 0, async () => Promise.reject(new Error('ENOTFOUND'))).list(),
    ).rejects.toThrow('ENOTFOUND');
  });
});
