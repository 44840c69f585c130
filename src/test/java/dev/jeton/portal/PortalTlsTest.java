package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.Jeton;
import dev.jeton.config.Config;
import dev.jeton.metrics.JetonMetrics;
import dev.jeton.testsupport.MutableClock;
import dev.jeton.testsupport.TestJeton;
import dev.jeton.web.Csrf;
import io.vertx.core.Vertx;
import java.io.Writer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal's CSRF cookie over real TLS, in process: a {@code __Host-} cookie that a sibling
 * subdomain cannot plant, and the only one honoured. (TlsIT checks the packaged jar's listeners;
 * this checks what the portal does with TLS.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortalTlsTest {

  @TempDir static Path dir;
  private Vertx vertx;
  private Jeton jeton;
  private HttpClient https;

  @BeforeAll
  void start() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=jeton-portal-test");
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
                    .build(
                        new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    pem(certFile, cert);
    pem(keyFile, new JcaPKCS8Generator(pair.getPrivate(), null));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("jeton", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    // Generous: a TLS handshake on a loaded CI machine can take seconds.
    https =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    Map<String, String> env = new HashMap<>();
    env.put("JETON_HTTP_HOST", "127.0.0.1");
    env.put("JETON_HTTP_PORT", "0");
    env.put("JETON_ADMIN_PORT", "0");
    env.put("JETON_ADMIN_TOKEN", TestJeton.ADMIN_TOKEN);
    env.put("JETON_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    env.put("JETON_PORTAL_DEMO", "false");
    env.put("JETON_TLS_CERT_FILE", certFile.toString());
    env.put("JETON_TLS_KEY_FILE", keyFile.toString());
    JetonMetrics metrics = JetonMetrics.disabled();
    vertx = metrics.newVertx();
    jeton =
        Jeton.start(
                vertx,
                Config.from(env),
                MutableClock.atStepStart(),
                TestJeton.TEST_PASSWORDS,
                metrics)
            .await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  private static void pem(Path file, Object o) throws Exception {
    try (Writer w = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
  }

  private PortalVisitor browser() {
    return new PortalVisitor(https, "https://127.0.0.1:" + jeton.httpPort());
  }

  @Test
  void overTlsTheCsrfCookieIsHostPrefixedSecureOnTheWholeOriginWithoutDomain() {
    HttpResponse<String> page = browser().get("/portal");

    assertThat(page.headers().allValues("set-cookie"))
        .noneMatch(c -> c.startsWith(Csrf.COOKIE + "="));
    String cookie =
        page.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(Csrf.HOST_COOKIE + "="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie)
        .contains("; Secure", "; Path=/;", "HTTPOnly", "SameSite=Strict")
        .doesNotContainIgnoringCase("domain=")
        .doesNotContain("Path=/portal");
  }

  @Test
  void aCookiePlantedBySiblingSubdomainWithTheAttackersOwnTokenIsRefused() {
    // The attacker fetches a page for themselves: an id and the token that goes with it.
    PortalVisitor attacker = browser();
    attacker.get("/portal");
    assertThat(attacker.cookies).hasSize(1);
    String attackerId = attacker.cookies.values().iterator().next();
    String attackerToken = attacker.fields.get("csrf");
    PortalVisitor victim = browser();
    victim.get("/portal");

    // A sibling subdomain can set a plain cookie for the portal's host (Domain=parent), never a
    // __Host- one.
    victim.cookies.put(Csrf.COOKIE, attackerId);
    victim.fields = Map.of("csrf", attackerToken);
    HttpResponse<String> forged = victim.submit(Map.of("username", "nobody", "password", "123456"));

    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(PortalVisitor.page(forged)).isEqualTo("login");
  }

  @Test
  void aTokenMintedForOneBrowserIsRefusedWithAnotherBrowsersCookieAndAcceptedWithItsOwn() {
    PortalVisitor other = browser();
    other.get("/portal");
    PortalVisitor victim = browser();
    victim.get("/portal");
    String own = victim.fields.get("csrf");

    victim.fields = Map.of("csrf", other.fields.get("csrf"));
    assertThat(victim.submit(Map.of("username", "nobody", "password", "123456")).statusCode())
        .isEqualTo(403);

    victim.fields = Map.of("csrf", own);
    // Evaluated: a wrong password for an unknown user, not a refused form.
    assertThat(victim.submit(Map.of("username", "nobody", "password", "123456")).statusCode())
        .isEqualTo(401);
  }
}
