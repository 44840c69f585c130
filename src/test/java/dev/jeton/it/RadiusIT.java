package dev.jeton.it;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.Radclient;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged jar with its RADIUS listener on, driven by FreeRADIUS's {@code radclient} as a NAS
 * would: Status-Server, a right passcode accepted and its replay refused, a wrong shared secret
 * ignored. The flows in depth are {@code dev.jeton.radius.RadiusLoginTest}'s.
 */
@Timeout(90)
class RadiusIT {

  private static final String TOKEN = "radius-it-admin-token-0123456789abcdef";
  private static final String PIN = "3579";

  private JetonJar jar;

  @AfterEach
  void tearDown() {
    if (jar != null) {
      jar.stop();
    }
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Test
  void theJarAnswersRadclientAsTheApiAnswersPortals() throws Exception {
    ExternalTools.require(
        Radclient.available(), "radclient is not installed (apt-get install freeradius-utils)");
    int port = freeUdpPort();
    jar =
        JetonJar.start(
                "radius",
                Map.of(
                    "JETON_ADMIN_TOKEN",
                    TOKEN,
                    "JETON_RADIUS_PORT",
                    String.valueOf(port),
                    "JETON_RADIUS_HOST",
                    "127.0.0.1",
                    "JETON_PORTAL_DEMO",
                    "false"))
            .requireStarted();
    assertThat(jar.output()).contains("radius_listening");
    Api api = new Api(jar.httpPort(), jar.adminPort(), TOKEN);
    byte[] seed = TestJeton.seed();
    expect(
        api.admin("PUT", "/v1/admin/users/nas.user", new JsonObject().put("displayName", "N")),
        201);
    expect(
        api.admin(
            "POST",
            "/v1/admin/tokens",
            new JsonObject()
                .put("serial", "RIT-1")
                .put("type", "totp")
                .put("algorithm", "SHA1")
                .put("digits", 6)
                .put("period", 30)
                .put("secret", TestJeton.base32(seed))
                .put("pin", PIN)),
        201);
    expect(api.admin("PUT", "/v1/admin/users/nas.user/tokens/RIT-1", null), 200);
    String secret =
        expect(
                api.admin(
                    "PUT",
                    "/v1/admin/radius-clients/local",
                    new JsonObject().put("network", "127.0.0.1/32")),
                200)
            .str("secret");
    Radclient radclient = new Radclient(port, secret);

    Radclient.Reply status =
        radclient.send("status", List.of("Message-Authenticator = 0x00"), secret);
    assertThat(status.code()).as(status.output()).isEqualTo("Access-Accept");

    Totp totp = new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(30), Clock.systemUTC());
    String code = totp.generate(seed, totp.currentStep());
    Radclient.Reply accept = radclient.auth("nas.user", PIN + code, null);
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");
    Radclient.Reply replay = radclient.auth("nas.user", PIN + code, null);
    assertThat(replay.code()).as(replay.output()).isEqualTo("Access-Reject");

    Radclient.Reply wrongSecret =
        new Radclient(port, "another-secret").auth("nas.user", PIN + code, null);
    assertThat(wrongSecret.code()).as(wrongSecret.output()).isNull();

    List<JsonObject> events =
        api.awaitAudit("nas.user", 20, e -> "ACCEPT".equals(e.getString("decision")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("radius:local");
    assertThat(jar.output()).doesNotContain(secret, PIN + code);
  }
}
