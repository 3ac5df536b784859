/** A throwaway self-signed certificate (openssl) for https servers on loopback in tests. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCert {
  key: Buffer;
  cert: Buffer;
}

/** `names` go into subjectAltName, e.g. ["DNS:public.test", "IP:127.0.0.1"]. */
export function selfSignedCert(names: readonly string[]): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "rivya-tls-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        ...["-nodes", "-days", "1", "-subj", "/CN=rivya-mcp test"],
        ...["-addext", `subjectAltName=${names.join(",")}`, "-keyout", key, "-out", cert],
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
