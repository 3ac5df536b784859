/** Helper processes driven over IPC: the simulator host and the reference uploader. */
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

function ipcChild(script, execArgv = []) {
  // cwd: the repository, so `--import tsx` resolves from its node_modules.
  const child = fork(here(script), [], {
    cwd: here(".."),
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map();
  let nextId = 1;
  const ready = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
    child.on("message", (msg) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
  });
  const api = {
    pid: child.pid,
    ready,
    send(cmd, fields = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, ...fields });
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.on("exit", () => {
    for (const p of pending.values()) p.reject(new Error(`${script} exited`));
    pending.clear();
  });
  return api;
}

/** The simulator host; `start(options)` returns { url, requests(), stop() }. */
export async function startSimHost() {
  const host = ipcChild("sim-host.mjs", ["--import", "tsx"]);
  await host.ready;
  return {
    pid: host.pid,
    async start(options) {
      const { id, url } = await host.send("start", { options });
      return {
        url,
        requests: (filter = {}) => host.send("requests", { sim: id, ...filter }),
        stop: () => host.send("stop", { sim: id }),
      };
    },
    close: () => host.close(),
  };
}

/** The process that makes direct uploads (reference for item 4); its memory is measured. */
export async function startReferenceUploader() {
  const child = ipcChild("reference-upload.mjs");
  await child.ready;
  return {
    pid: child.pid,
    upload: (args) => child.send("upload", args),
    close: () => child.close(),
  };
}
