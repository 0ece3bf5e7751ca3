// A certificate authority made in the test, for mutual TLS (replication): certificates built with
// node-forge, keys made and certificates signed by node:crypto (forge's JavaScript RSA is slow).
// 1024-bit keys: enough for a test, and quick to make.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import forge from "node-forge";

export interface TestCa {
  /** The CA certificate, PEM. */
  certPem: string;
  /**
   * A certificate for `commonName` (also its DNS name) and 127.0.0.1, signed by this CA: private key
   * and certificate in one PEM text, the shape of `replication.https.certfile`.
   */
  issue(commonName: string, options?: { dnsNames?: string[]; ips?: string[] }): string;
}

let serial = 1;

interface Keys {
  privateKey: KeyObject;
  publicKey: forge.pki.PublicKey;
}

function rsaKeys(): Keys {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const spki = publicKey.export({ type: "spki", format: "pem" }).toString();
  return { privateKey, publicKey: forge.pki.publicKeyFromPem(spki) };
}

// forge.pki.getTBSCertificate exists (forge's own sign() uses it) but is missing from its types.
const tbsOf = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 })
  .getTBSCertificate;

/** Signs `cert` with `key` (sha256WithRSAEncryption), as forge's own sign() would. */
function signCertificate(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption ?? "1.2.840.113549.1.1.11";
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.tbsCertificate = tbsOf(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = sign("sha256", tbs, key).toString("binary");
}

const keyPem = (key: KeyObject): string => key.export({ type: "pkcs8", format: "pem" }).toString();

function baseCertificate(publicKey: forge.pki.PublicKey, subject: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: subject }]);
  return cert;
}

export function createTestCa(name = "Cairn Test CA"): TestCa {
  const caKeys = rsaKeys();
  const ca = baseCertificate(caKeys.publicKey, name);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  signCertificate(ca, caKeys.privateKey);
  return {
    certPem: forge.pki.certificateToPem(ca),
    issue(commonName, options = {}) {
      const keys = rsaKeys();
      const cert = baseCertificate(keys.publicKey, commonName);
      cert.setIssuer(ca.subject.attributes);
      const altNames = [
        ...(options.dnsNames ?? [commonName]).map((value) => ({ type: 2, value })),
        ...(options.ips ?? ["127.0.0.1"]).map((ip) => ({ type: 7, ip })),
      ];
      cert.setExtensions([
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true, clientAuth: true },
        { name: "subjectAltName", altNames },
      ]);
      signCertificate(cert, caKeys.privateKey);
      return keyPem(keys.privateKey) + forge.pki.certificateToPem(cert);
    },
  };
}
