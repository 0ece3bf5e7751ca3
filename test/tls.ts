// Certificates for TLS tests: throw-away CAs and the certificates they sign (for servers, and as
// client certificates for mutual TLS). node-forge builds
// the certificates; node:crypto makes the keys and signatures (forge's own RSA is slow). Every
// issued server certificate shares one key. Nothing is written to disk.
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import forge from "node-forge";

export interface TestCa {
  /** PEM certificate, to trust. */
  cert: string;
  /** A certificate (and its PEM key) for the given host names and IP addresses. */
  issue(names: { dns?: string[]; ip?: string[] }): { key: string; cert: string };
}

interface KeyPair {
  key: string;
  publicKey: forge.pki.rsa.PublicKey;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 1024, // test-only keys: fast to make, and still accepted by TLS (security level 1)
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { key: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

let serverKey: KeyPair | undefined;
let serial = 1;

function certificate(
  subject: string,
  publicKey: forge.pki.rsa.PublicKey,
  issuer: forge.pki.CertificateField[] | null,
  signerPem: string,
  extensions: object[],
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = String(serial++).padStart(2, "0");
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: "commonName", value: subject }];
  cert.setSubject(attrs);
  cert.setIssuer(issuer ?? attrs);
  cert.setExtensions(extensions);
  // What cert.sign() does, with the signature made by node:crypto.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption ?? "";
  cert.tbsCertificate = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = sign("sha256", tbs, createPrivateKey(signerPem)).toString("binary");
  return forge.pki.certificateToPem(cert);
}

/** A new CA whose `issue` signs server certificates. */
export function testCa(name = "Cairn test CA"): TestCa {
  const ca = keyPair();
  const caPem = certificate(name, ca.publicKey, null, ca.key, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const issuer = forge.pki.certificateFromPem(caPem).subject.attributes;
  return {
    cert: caPem,
    issue({ dns = [], ip = [] }) {
      serverKey ??= keyPair();
      const altNames = [...dns.map((value) => ({ type: 2, value })), ...ip.map((ip) => ({ type: 7, ip }))];
      const cert = certificate(dns[0] ?? ip[0] ?? "server", serverKey.publicKey, issuer, ca.key, [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true, clientAuth: true },
        { name: "subjectAltName", altNames },
      ]);
      return { key: serverKey.key, cert };
    },
  };
}

/** A certificate for the given names signed by its own key (trusted by nobody). */
export function selfSignedCert(names: { dns?: string[]; ip?: string[] }): { key: string; cert: string } {
  serverKey ??= keyPair();
  const { dns = [], ip = [] } = names;
  const subject = dns[0] ?? ip[0] ?? "server";
  const altNames = [...dns.map((value) => ({ type: 2, value })), ...ip.map((ip) => ({ type: 7, ip }))];
  const cert = certificate(subject, serverKey.publicKey, null, serverKey.key, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
  ]);
  return { key: serverKey.key, cert };
}
