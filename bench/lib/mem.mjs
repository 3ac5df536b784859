/**
 * Memory and I/O of another process, from /proc (Linux).
 *
 * - VmHWM in /proc/<pid>/status is the kernel's own record of the peak resident set, so it
 *   catches spikes sampling would miss; writing "5" to /proc/<pid>/clear_refs resets it,
 *   which lets one long-lived process be measured once per run.
 * - /proc/<pid>/io counts bytes the whole process read (rchar) and wrote (wchar) through
 *   system calls. While a file is being uploaded, rchar − wchar (from where both stood
 *   before) is file data that came in and has not gone out yet: what the process holds.
 *   Unlike RSS it does not count garbage the GC has not collected yet.
 */
import { readFileSync, writeFileSync } from "node:fs";

export function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

export function procIo(pid) {
  const text = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1]);
  return { read: field("rchar"), written: field("wchar") };
}

/** Resets the peak-RSS counter; false when the kernel does not allow it. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `work()` and measures `pid` meanwhile: peak RSS growth (VmHWM after a reset, or the
 * largest sampled VmRSS where resetting is not allowed) over VmRSS just before, and the
 * peak of bytes read but not yet written, sampled about every millisecond.
 */
export async function peakGrowth(pid, work) {
  const canReset = resetPeak(pid);
  const before = procStatus(pid).rss;
  const io0 = procIo(pid);
  let sampled = before;
  let held = 0;
  const sample = () => {
    try {
      sampled = Math.max(sampled, procStatus(pid).rss);
      const io = procIo(pid);
      held = Math.max(held, io.read - io0.read - (io.written - io0.written));
    } catch {}
  };
  const timer = setInterval(sample, 1);
  let result;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const after = procStatus(pid);
  const peak = canReset ? Math.max(after.hwm, sampled) : sampled;
  return {
    result,
    before,
    peak,
    growth: peak - before,
    held,
    method: canReset ? "VmHWM" : "sampled VmRSS",
  };
}
