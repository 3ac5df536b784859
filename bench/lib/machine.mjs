/** The machine a run was measured on, for the header of BENCHMARKS.md. */
import { readFileSync } from "node:fs";
import os from "node:os";

function cpuModel() {
  const model = os.cpus()[0]?.model?.trim();
  if (model) return model;
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function machine() {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}
