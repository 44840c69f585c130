package dev.jeton.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.DirectoryBus.PasswordResult;
import dev.jeton.bus.DirectoryBus.Verdict;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Slapd;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StartTLS and LDAPS against a real slapd whose certificate only the CA file trusts. */
class LdapTlsTest {

  @TempDir static Path dir;
  private static Slapd slapd;
  private static Path ca;

  @BeforeAll
  static void start() throws Exception {
    ExternalTools.require(
        Slapd.available(),
        "slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)");
    // RSA: slapd's GnuTLS does not read the minimal EC PKCS#8 that Bouncy Castle writes.
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=jeton-slapd-test");
    Instant now = Instant.now();
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minusSeconds(60)),
                        Date.from(now.plus(Duration.ofDays(1))),
                        name,
                        pair.getPublic())
                    .addExtension(
                        Extension.subjectAlternativeName,
                        false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")))
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
    ca = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    pem(ca, cert);
    pem(key, new JcaPKCS8Generator(pair.getPrivate(), null));
    slapd = Slapd.startWithTls(ca, key);
  }

  @AfterAll
  static void stop() {
    if (slapd != null) {
      slapd.close();
    }
  }

  private static void pem(Path file, Object o) throws Exception {
    try (Writer w = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
  }

  @Test
  void startTlsTrustingTheCaFileChecksPasswords() {
    try (LdapDirectory d =
        new LdapDirectory(
            LdapDirectoryTest.settings(
                slapd.url(), "JETON_LDAP_STARTTLS", "true", "JETON_LDAP_CA_FILE", ca.toString()))) {
      assertThat(d.checkPassword("alice", "alice-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Alice Martin"));
      assertThat(d.checkPassword("alice", "bob-pw").verdict()).isEqualTo(Verdict.WRONG);
    }
  }

  @Test
  void ldapsTrustingTheCaFileChecksPasswords() {
    try (LdapDirectory d =
        new LdapDirectory(
            LdapDirectoryTest.settings(slapd.ldapsUrl(), "JETON_LDAP_CA_FILE", ca.toString()))) {
      assertThat(d.checkPassword("bob", "bob-pw"))
          .isEqualTo(new PasswordResult(Verdict.OK, "Bob Durand"));
    }
  }

  @Test
  void aCertificateTheJvmDoesNotTrustIsNeverTalkedTo() {
    try (LdapDirectory d =
        new LdapDirectory(LdapDirectoryTest.settings(slapd.url(), "JETON_LDAP_STARTTLS", "true"))) {
      assertThat(d.checkPassword("alice", "alice-pw").verdict()).isEqualTo(Verdict.UNAVAILABLE);
      assertThat(d.healthy()).isFalse();
    }
    try (LdapDirectory d = new LdapDirectory(LdapDirectoryTest.settings(slapd.ldapsUrl()))) {
      assertThat(d.checkPassword("alice", "alice-pw").verdict()).isEqualTo(Verdict.UNAVAILABLE);
    }
  }
}
