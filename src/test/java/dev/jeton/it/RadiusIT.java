package dev.jeton.it;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.radiuscodec.Attribute;
import dev.jeton.radiuscodec.Attributes;
import dev.jeton.radiuscodec.RadiusCodes;
import dev.jeton.radiuscodec.RadiusRequest;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.Radclient;
import dev.jeton.testsupport.Radclient.Reply;
import dev.jeton.testsupport.RadiusAnswers;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged jar with its RADIUS listener on, driven by FreeRADIUS's {@code radclient} as a NAS
 * would: Status-Server, accept and the replay refused, a wrong shared secret ignored, the NEW_PIN
 * rounds through to accept, NEXT_PASSCODE, lockout, a request without Message-Authenticator
 * dropped, and a retransmission (sent as raw datagrams, since radclient only repeats a request it
 * got no answer to) answered once. The jar runs on the real clock: the keys of the challenge tests
 * have a 2-second step, so that "wait for the code to change" takes seconds. The same flows in
 * depth, on a test clock, are {@code dev.jeton.radius.RadiusLoginTest}'s.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RadiusIT {

  private static final String TOKEN = "radius-it-admin-token-0123456789abcdef";
  private static final String PIN = "3579";

  private JetonJar jar;
  private Api api;
  private int port;
  private String secret;
  private Radclient radclient;

  @BeforeAll
  void start() throws Exception {
    ExternalTools.require(
        Radclient.available(), "radclient is not installed (apt-get install freeradius-utils)");
    port = freeUdpPort();
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
    api = new Api(jar.httpPort(), jar.adminPort(), TOKEN);
    secret =
        expect(
                api.admin(
                    "PUT",
                    "/v1/admin/radius-clients/local",
                    new JsonObject().put("network", "127.0.0.1/32")),
                200)
            .str("secret");
    radclient = new Radclient(port, secret);
  }

  @AfterAll
  void stop() {
    if (jar != null) {
      jar.stop();
    }
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** A user with a TOTP key of {@code periodSeconds} (and a PIN, unless null); its TOTP. */
  private Totp user(String username, byte[] seed, String pin, int periodSeconds) {
    expect(
        api.admin("PUT", "/v1/admin/users/" + username, new JsonObject().put("displayName", "N")),
        201);
    expect(
        api.admin(
            "POST",
            "/v1/admin/tokens",
            TestJeton.totpTokenBody("RIT-" + username, seed, periodSeconds, pin)),
        201);
    expect(api.admin("PUT", "/v1/admin/users/" + username + "/tokens/RIT-" + username, null), 200);
    return new Totp(
        new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(periodSeconds), Clock.systemUTC());
  }

  /** Waits, on the real clock, until the key shows a step later than {@code step}. */
  private static long stepAfter(Totp totp, long step) throws InterruptedException {
    while (totp.currentStep() <= step) {
      Thread.sleep(50);
    }
    return totp.currentStep();
  }

  @Test
  void theJarAnswersRadclientAsTheApiAnswersPortals() {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.user", seed, PIN, 30);

    Reply status = radclient.send("status", List.of("Message-Authenticator = 0x00"), secret);
    assertThat(status.code()).as(status.output()).isEqualTo("Access-Accept");

    String code = totp.generate(seed, totp.currentStep());
    Reply accept = radclient.auth("nas.user", PIN + code, null);
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");
    Reply replay = radclient.auth("nas.user", PIN + code, null);
    assertThat(replay.code()).as(replay.output()).isEqualTo("Access-Reject");

    Reply wrongSecret = new Radclient(port, "another-secret").auth("nas.user", PIN + code, null);
    assertThat(wrongSecret.code()).as(wrongSecret.output()).isNull();

    List<JsonObject> events =
        api.awaitAudit("nas.user", 20, e -> "ACCEPT".equals(e.getString("decision")), 1);
    assertThat(events.get(0).getString("client")).isEqualTo("radius:local");
    assertThat(jar.output()).doesNotContain(secret, PIN + code);
  }

  @Test
  void aFirstLoginRunsBothPinRoundsThenTheNextCodeThenAccepts() throws Exception {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.first", seed, null, 2);

    long opened = totp.currentStep();
    Reply newPin = radclient.auth("nas.first", totp.generate(seed, opened), null);
    assertThat(newPin.code()).as(newPin.output()).isEqualTo("Access-Challenge");
    assertThat(newPin.message()).contains("PIN");
    Reply confirm = radclient.auth("nas.first", "2468", newPin.state());
    assertThat(confirm.code()).as(confirm.output()).isEqualTo("Access-Challenge");
    Reply next = radclient.auth("nas.first", "2468", confirm.state());
    assertThat(next.code()).as(next.output()).isEqualTo("Access-Challenge");
    assertThat(next.state()).isNotNull();

    long later = stepAfter(totp, opened);
    Reply accept = radclient.auth("nas.first", "2468" + totp.generate(seed, later), next.state());
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");
    assertThat(jar.output()).doesNotContain("2468" + totp.generate(seed, later));
  }

  @Test
  void afterFailuresTheRightPasscodeAsksForTheNextOne() throws Exception {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.next", seed, PIN, 2);
    for (int i = 0; i < 3; i++) {
      assertThat(radclient.auth("nas.next", PIN + "00000" + i, null).code())
          .isEqualTo("Access-Reject");
    }

    long matched = totp.currentStep();
    Reply next = radclient.auth("nas.next", PIN + totp.generate(seed, matched), null);
    assertThat(next.code()).as(next.output()).isEqualTo("Access-Challenge");
    stepAfter(totp, matched);
    Reply accept = radclient.auth("nas.next", PIN + totp.generate(seed, matched + 1), next.state());
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");
  }

  @Test
  void tenFailuresLockTheUserOutEvenForTheRightPasscode() {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.locked", seed, PIN, 30);
    for (int i = 0; i < 10; i++) {
      assertThat(radclient.auth("nas.locked", PIN + "11111" + i, null).code())
          .isEqualTo("Access-Reject");
    }
    Reply locked =
        radclient.auth("nas.locked", PIN + totp.generate(seed, totp.currentStep()), null);
    assertThat(locked.code()).as(locked.output()).isEqualTo("Access-Reject");
    JsonObject user = expect(api.admin("GET", "/v1/admin/users/nas.locked", null), 200).json();
    assertThat(user.getBoolean("locked")).as(user.encode()).isTrue();
  }

  @Test
  void aRequestWithoutMessageAuthenticatorIsDropped() {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.noma", seed, PIN, 30);
    Reply dropped =
        radclient.send(
            "auth",
            List.of(
                "User-Name = \"nas.noma\"",
                "User-Password = \"" + PIN + totp.generate(seed, totp.currentStep()) + "\""),
            secret);
    assertThat(dropped.code()).as(dropped.output()).isNull();
  }

  @Test
  void aRetransmissionGetsTheSameAnswerAndIsDecidedOnce() throws Exception {
    byte[] seed = TestJeton.seed();
    Totp totp = user("nas.again", seed, PIN, 30);
    byte[] authenticator = new byte[16];
    new SecureRandom().nextBytes(authenticator);
    String passcode = PIN + totp.generate(seed, totp.currentStep());
    byte[] request =
        RadiusRequest.encode(
            RadiusCodes.ACCESS_REQUEST,
            42,
            authenticator,
            List.of(
                new Attribute(Attributes.USER_NAME, "nas.again".getBytes(StandardCharsets.UTF_8)),
                new Attribute(Attributes.USER_PASSWORD, passcode.getBytes(StandardCharsets.UTF_8))),
            secret.getBytes(StandardCharsets.UTF_8),
            true);
    List<byte[]> answers = new ArrayList<>();
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(5_000);
      InetAddress to = InetAddress.getLoopbackAddress();
      // The NAS's copies: the first answered, then the same request again, twice.
      for (int i = 0; i < 3; i++) {
        socket.send(new DatagramPacket(request, request.length, to, port));
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
          socket.receive(p);
          answers.add(Arrays.copyOf(p.getData(), p.getLength()));
        } catch (SocketTimeoutException e) {
          // a copy that came while the first was being decided is dropped
        }
      }
    }
    RadiusAnswers.assertOneAcceptRepeated(answers, authenticator, secret);
    List<JsonObject> events =
        api.awaitAudit("nas.again", 20, e -> !"ADMIN".equals(e.getString("decision")), 1);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("decision")).isEqualTo("ACCEPT");
  }
}
