// Certificates made in the test process (node-forge for the X.509, node:crypto for fast RSA keys):
// a test CA and leaf certificates it signs, and self-signed ones. Nothing is read from disk.
import { generateKeyPairSync, sign } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

export interface TestCert {
  /** PEM. */
  key: string;
  cert: string;
}

interface Issuer {
  key: forge.pki.rsa.PrivateKey;
  subject: forge.pki.CertificateField[];
}

let serial = 1;

interface RsaKey {
  pem: string;
  forgeKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

function rsaKey(): RsaKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { pem, forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** Every leaf certificate shares one key (generating RSA keys is the slow part). */
let leafKey: RsaKey | undefined;
const sharedLeafKey = (): RsaKey => (leafKey ??= rsaKey());

function build(
  commonName: string,
  names: readonly string[],
  publicKey: forge.pki.rsa.PublicKey,
  issuer: Issuer | null,
  selfKey: forge.pki.rsa.PrivateKey,
  validity: { notBefore: Date; notAfter: Date },
  isCa: boolean,
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.subject : subject);
  const extensions: object[] = [{ name: "basicConstraints", cA: isCa, critical: isCa }];
  if (isCa) extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true });
  else {
    extensions.push({
      name: "subjectAltName",
      altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  cert.setExtensions(extensions);
  // Signed with node:crypto: forge's pure-JS RSA takes a fifth of a second per certificate.
  const oid = forge.pki.oids.sha256WithRSAEncryption ?? "1.2.840.113549.1.1.11";
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  const tbsAsn1 = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(tbsAsn1).getBytes(), "binary");
  const signer = forge.pki.privateKeyToPem(issuer ? issuer.key : selfKey);
  cert.signature = sign("sha256", tbs, signer).toString("binary");
  return forge.pki.certificateToPem(cert);
}

const DAY = 86_400_000;
const current = () => ({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) });

export interface TestCa {
  /** PEM of the CA certificate: what a client passes as `ca`. */
  cert: string;
  /** A leaf certificate for `names` (host names and IP addresses) signed by this CA. */
  issue(names: readonly string[], validity?: { notBefore: Date; notAfter: Date }): TestCert;
}

export function createTestCa(name = "Cairn Test CA"): TestCa {
  const { forgeKey, publicKey } = rsaKey();
  const cert = build(name, [], publicKey, null, forgeKey, current(), true);
  const issuer = { key: forgeKey, subject: [{ name: "commonName", value: name }] };
  return {
    cert,
    issue(names, validity = current()) {
      const leaf = sharedLeafKey();
      return {
        key: leaf.pem,
        cert: build(names[0] ?? "leaf", names, leaf.publicKey, issuer, leaf.forgeKey, validity, false),
      };
    },
  };
}

/** A certificate for `names` signed by its own key. */
export function selfSignedCert(names: readonly string[]): TestCert {
  const { pem, forgeKey, publicKey } = sharedLeafKey();
  return { key: pem, cert: build(names[0] ?? "self", names, publicKey, null, forgeKey, current(), false) };
}
