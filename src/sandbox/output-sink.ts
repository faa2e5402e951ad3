/**
 * Byte-counting output capture. Keeps the first half of the cap and a rolling tail of the other
 * half, counts (and drops) everything in between: a script printing 1 GB costs O(cap) memory.
 * The tail matters because tracebacks and test summaries come last.
 */
export class OutputSink {
  private readonly headCap: number;
  private readonly tailCap: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte written, kept or not. */
  total = 0;

  constructor(capBytes: number) {
    const cap = Math.max(2, Math.floor(capBytes));
    this.headCap = Math.ceil(cap / 2);
    this.tailCap = cap - this.headCap;
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headCap) {
      const take = Math.min(this.headCap - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    // Copy: the caller may reuse its buffer, and we must not pin large upstream chunks.
    this.tail.push(Buffer.from(rest.subarray(Math.max(0, rest.length - this.tailCap))));
    this.tailBytes += Math.min(rest.length, this.tailCap);
    if (this.tailBytes > this.tailCap * 2) this.compactTail();
  }

  private compactTail(): void {
    const all = Buffer.concat(this.tail);
    const kept = all.subarray(Math.max(0, all.length - this.tailCap));
    this.tail = [kept];
    this.tailBytes = kept.length;
  }

  /** Bytes produced but not kept. */
  get omitted(): number {
    return this.total - this.headBytes - Math.min(this.tailBytes, this.tailCap);
  }

  get truncated(): boolean {
    return this.omitted > 0;
  }

  toString(): string {
    if (this.tailBytes > this.tailCap) this.compactTail();
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (!this.truncated) return head + tail;
    return `${head}\n[... ${this.omitted} bytes omitted ...]\n${tail}`;
  }
}

/** stdout, stderr and their interleaving, each capped independently. */
export class OutputCapture {
  readonly stdout: OutputSink;
  readonly stderr: OutputSink;
  readonly combined: OutputSink;

  constructor(capBytes: number) {
    this.stdout = new OutputSink(capBytes);
    this.stderr = new OutputSink(capBytes);
    this.combined = new OutputSink(capBytes);
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    (stream === 'stdout' ? this.stdout : this.stderr).write(chunk);
    this.combined.write(chunk);
  }

  get totalBytes(): number {
    return this.combined.total;
  }

  get truncated(): boolean {
    return this.stdout.truncated || this.stderr.truncated || this.combined.truncated;
  }
}

/**
 * Parses Docker's multiplexed attach stream (8-byte frame headers: type, 0, 0, 0, uint32 length)
 * and hands each payload to `onFrame` in arrival order.
 */
export class DockerDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: 'stdout' | 'stderr', payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (buf.length >= 8) {
      const type = buf[0];
      const length = buf.readUInt32BE(4);
      if (buf.length < 8 + length) break;
      const payload = buf.subarray(8, 8 + length);
      this.onFrame(type === 2 ? 'stderr' : 'stdout', payload);
      buf = buf.subarray(8 + length);
    }
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }
}
