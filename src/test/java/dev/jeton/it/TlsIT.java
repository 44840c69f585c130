package dev.jeton.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testsupport.JetonJar;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both listeners serve TLS 1.2 and 1.3 from PEM files, and nothing older or plain. */
class TlsIT {

  @TempDir static Path dir;
  private static JetonJar jar;
  private static SSLContext trusting;

  @BeforeAll
  static void start() throws Exception {
    // Let this (client) JVM offer TLS 1.1, so that it is the server that is seen refusing it.
    Security.setProperty("jdk.tls.disabledAlgorithms", "SSLv3, RC4, DES, NULL, anon");
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=jeton-test");
    Instant now = Instant.now();
    X509CertificateHolder holder =
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
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    pem(certFile, cert);
    pem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null));

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("jeton", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);

    jar =
        JetonJar.start(
            "tls",
            Map.of(
                "JETON_TLS_CERT_FILE",
                certFile.toString(),
                "JETON_TLS_KEY_FILE",
                keyFile.toString(),
                "JETON_ADMIN_TOKEN",
                "tls-test-admin-token-123"));
    assertThat(jar.started()).as(jar.tail()).isTrue();
  }

  @AfterAll
  static void stop() {
    if (jar != null) {
      jar.stop();
    }
  }

  private static void pem(Path file, Object o) throws IOException {
    try (Writer w = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
  }

  private static HttpResponse<String> get(
      String scheme, int port, String path, String method, String body) throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return client.send(
        r.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void bothListenersAnswerOverTls() throws Exception {
    assertThat(get("https", jar.adminPort(), "/health/ready", "GET", null).statusCode())
        .isEqualTo(200);
    assertThat(get("https", jar.httpPort(), "/health/live", "GET", null).statusCode())
        .isEqualTo(200);
    HttpResponse<String> auth =
        get(
            "https",
            jar.httpPort(),
            "/v1/authenticate",
            "POST",
            new JsonObject().put("username", "a").put("password", "b").encode());
    assertThat(auth.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(auth.body()).getString("error")).isEqualTo("unauthorized_client");
    assertThat(jar.output()).contains("\"public\":\"https://127.0.0.1:" + jar.httpPort());
  }

  @Test
  void portalCookiesAreSecureAndHstsIsSentOverTls() throws Exception {
    HttpResponse<String> page = get("https", jar.httpPort(), "/portal", "GET", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().allValues("set-cookie"))
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("__Host-jeton_csrf=")
                    .contains("Secure", "HTTPOnly", "Path=/;"));
    assertThat(page.headers().firstValue("Strict-Transport-Security")).isPresent();
  }

  @Test
  void tls12And13AreAcceptedAndOlderProtocolsRefused() throws Exception {
    assertThat(handshake(jar.httpPort(), "TLSv1.3")).isEqualTo("TLSv1.3");
    assertThat(handshake(jar.adminPort(), "TLSv1.2")).isEqualTo("TLSv1.2");
    assertThatThrownBy(() -> handshake(jar.httpPort(), "TLSv1.1"))
        .isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> handshake(jar.adminPort(), "TLSv1"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void plainHttpIsNotServed() {
    assertThatThrownBy(() -> get("http", jar.adminPort(), "/health/live", "GET", null))
        .isInstanceOf(IOException.class);
  }

  private static String handshake(int port, String protocol) throws Exception {
    try (SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.setEnabledProtocols(new String[] {protocol});
      s.startHandshake();
      return s.getSession().getProtocol();
    }
  }
}
