import { describe, expect, it } from 'vitest';
import { DockerDemuxer, OutputCapture, OutputSink } from '../../../src/sandbox/output-sink.js';

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('output-sink', () => {
  it('keeps everything under the cap', () => {
    const sink = new OutputSink(100);
    sink.write(Buffer.from('hello '));
    sink.write(Buffer.from('world'));
    expect(sink.toString()).toBe('hello world');
    expect(sink.truncated).toBe(false);
    expect(sink.total).toBe(11);
  });

  it('keeps exactly cap bytes without truncating', () => {
    const sink = new OutputSink(10);
    sink.write(Buffer.from('0123456789'));
    expect(sink.toString()).toBe('0123456789');
    expect(sink.truncated).toBe(false);
  });

  it('keeps the head and the tail and counts what it dropped', () => {
    const sink = new OutputSink(10);
    for (let i = 0; i < 1000; i += 1) sink.write(Buffer.from(`${i % 10}`));
    expect(sink.total).toBe(1000);
    expect(sink.omitted).toBe(990);
    expect(sink.truncated).toBe(true);
    expect(sink.toString()).toBe('01234\n[... 990 bytes omitted ...]\n56789');
  });

  it('handles one huge chunk in O(cap) memory', () => {
    const sink = new OutputSink(8);
    sink.write(Buffer.alloc(10_000_000, 'a'));
    sink.write(Buffer.from('END!'));
    expect(sink.toString()).toBe('aaaa\n[... 9999996 bytes omitted ...]\nEND!');
  });

  it('captures stdout, stderr and their interleaving separately', () => {
    const capture = new OutputCapture(1_000);
    capture.write('stdout', Buffer.from('a'));
    capture.write('stderr', Buffer.from('b'));
    capture.write('stdout', Buffer.from('c'));
    expect(capture.stdout.toString()).toBe('ac');
    expect(capture.stderr.toString()).toBe('b');
    expect(capture.combined.toString()).toBe('abc');
    expect(capture.totalBytes).toBe(3);
  });

  it('demultiplexes Docker frames split across chunks, in order', () => {
    const seen: string[] = [];
    const demuxer = new DockerDemuxer((which, payload) =>
      seen.push(`${which}:${payload.toString()}`),
    );
    const all = Buffer.concat([frame(1, 'out1'), frame(2, 'err1'), frame(1, 'out2')]);
    for (let i = 0; i < all.length; i += 3) demuxer.push(all.subarray(i, i + 3));
    expect(seen).toEqual(['stdout:out1', 'stderr:err1', 'stdout:out2']);
  });
});
