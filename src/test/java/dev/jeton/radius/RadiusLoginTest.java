package dev.jeton.radius;

import static dev.jeton.testsupport.TestJeton.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.radiuscodec.Attribute;
import dev.jeton.radiuscodec.Attributes;
import dev.jeton.radiuscodec.RadiusCodes;
import dev.jeton.radiuscodec.RadiusRequest;
import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.ExternalTools;
import dev.jeton.testsupport.Radclient;
import dev.jeton.testsupport.Radclient.Reply;
import dev.jeton.testsupport.RadiusAnswers;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The RADIUS intake end to end, on Redis, driven by FreeRADIUS's {@code radclient}: every rule of
 * the API's login holds over RADIUS (accept, reject, NEW_PIN in two rounds then NEXT_PASSCODE,
 * resynchronisation, lockout, audit), and the protocol's hygiene (a wrong shared secret, a missing
 * Message-Authenticator, an unknown source, a retransmission, Status-Server, garbage).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RadiusLoginTest {

  private static final String PIN = "8642";
  private static final Pattern COUNTER =
      Pattern.compile("jeton_radius_drops_total\\{cause=\"([a-z_]+)\"[^}]*\\} ([0-9.E]+)");

  private TestJeton j;
  private Radclient radclient;
  private String secret;
  private int port;

  @BeforeAll
  void start() {
    ExternalTools.require(
        Radclient.available(), "radclient is not installed (apt-get install freeradius-utils)");
    j =
        TestJeton.start(
            RedisServer.shared().url(),
            Map.of("JETON_RADIUS_PORT", "0", "JETON_RADIUS_HOST", "127.0.0.1"));
    port = j.jeton.radiusPort();
    secret = radiusClient("nas-test", "127.0.0.1/32", true, true);
    radclient = new Radclient(port, secret);
  }

  @AfterAll
  void stop() {
    if (j != null) {
      j.close();
    }
  }

  /** Creates or replaces a RADIUS client; its new secret. */
  private String radiusClient(String name, String network, boolean requireMa, boolean trust) {
    JsonObject r =
        expect(
                j.api.admin(
                    "PUT",
                    "/v1/admin/radius-clients/" + name,
                    new JsonObject()
                        .put("network", network)
                        .put("requireMessageAuthenticator", requireMa)
                        .put("trustCallingStationId", trust)),
                200)
            .json();
    String s = r.getString("secret");
    // The intake hears of the change over the bus; a Status-Server tells when it took it.
    return s;
  }

  private byte[] userWithPin(String username) {
    byte[] seed = TestJeton.seed();
    j.user(username, null);
    j.token("R-" + username, seed, PIN);
    expect(j.api.admin("PUT", "/v1/admin/users/" + username + "/tokens/R-" + username, null), 200);
    return seed;
  }

  private Reply auth(String username, String password) {
    return radclient.auth(username, password, null);
  }

  private double drops(String cause) {
    String scrape = expect(j.api.raw("GET", "admin", "/metrics", null, null, null), 200).raw();
    Matcher m = COUNTER.matcher(scrape);
    while (m.find()) {
      if (m.group(1).equals(cause)) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no jeton_radius_drops_total for " + cause);
  }

  @Test
  void theRightPasscodeIsAcceptedOnceAndAuditedWithTheNasAndTheCallingStation() {
    byte[] seed = userWithPin("r.accept");
    String passcode = PIN + j.code(seed);
    Reply ok = radclient.auth("r.accept", passcode, null, "Calling-Station-Id = \"203.0.113.9\"");
    assertThat(ok.code()).as(ok.output()).isEqualTo("Access-Accept");
    assertThat(ok.exit()).isZero();

    Reply replay = auth("r.accept", passcode);
    assertThat(replay.code()).as(replay.output()).isEqualTo("Access-Reject");

    List<JsonObject> events =
        j.api.awaitAudit("r.accept", 20, e -> "ACCEPT".equals(e.getString("decision")), 1);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("client")).isEqualTo("radius:nas-test");
    assertThat(events.get(0).getString("clientIp")).isEqualTo("203.0.113.9");
    assertThat(events.get(0).getString("note")).isEqualTo("calling-station-id=203.0.113.9");
  }

  @Test
  void aWrongPasscodeAnUnknownUserAndAWrongPinAreRejectedAlike() {
    byte[] seed = userWithPin("r.reject");
    Reply wrongCode = auth("r.reject", PIN + "000000");
    Reply wrongPin = auth("r.reject", "1357" + j.code(seed));
    Reply unknown = auth("r.nobody", PIN + j.code(seed));
    for (Reply r : List.of(wrongCode, wrongPin, unknown)) {
      assertThat(r.code()).as(r.output()).isEqualTo("Access-Reject");
    }
    assertThat(wrongCode.messages()).isEqualTo(wrongPin.messages()).isEqualTo(unknown.messages());
    assertThat(wrongCode.message()).isNotBlank();
  }

  @Test
  void aFirstLoginRunsBothPinRoundsThenTheNextCodeThenAccepts() {
    byte[] seed = TestJeton.seed();
    j.user("r.first", null);
    j.token("R-first", seed, null);
    expect(j.api.admin("PUT", "/v1/admin/users/r.first/tokens/R-first", null), 200);

    Reply newPin = auth("r.first", j.code(seed));
    assertThat(newPin.code()).as(newPin.output()).isEqualTo("Access-Challenge");
    assertThat(newPin.state()).isNotNull();
    assertThat(newPin.message()).contains("PIN", "4");

    Reply confirm = radclient.auth("r.first", "2468", newPin.state());
    assertThat(confirm.code()).as(confirm.output()).isEqualTo("Access-Challenge");
    assertThat(confirm.state()).isNotNull().isNotEqualTo(newPin.state());
    // The first PIN rides in the State, sealed: nothing of it shows.
    assertThat(confirm.state()).doesNotContain("32343638");

    Reply mismatch = radclient.auth("r.first", "1357", confirm.state());
    assertThat(mismatch.code()).as(mismatch.output()).isEqualTo("Access-Challenge");
    Reply again = radclient.auth("r.first", "2468", mismatch.state());
    assertThat(again.code()).as(again.output()).isEqualTo("Access-Challenge");
    Reply next = radclient.auth("r.first", "2468", again.state());
    assertThat(next.code()).as(next.output()).isEqualTo("Access-Challenge");
    assertThat(next.state()).isNotNull();

    j.clock.advanceSeconds(30);
    Reply accept = radclient.auth("r.first", "2468" + j.code(seed), next.state());
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");

    j.clock.advanceSeconds(30);
    assertThat(auth("r.first", "2468" + j.code(seed)).code()).isEqualTo("Access-Accept");
  }

  @Test
  void aStateIsForItsUserOnly() {
    byte[] seed = TestJeton.seed();
    j.user("r.owner", null);
    j.token("R-owner", seed, null);
    expect(j.api.admin("PUT", "/v1/admin/users/r.owner/tokens/R-owner", null), 200);
    Reply newPin = auth("r.owner", j.code(seed));
    assertThat(newPin.code()).isEqualTo("Access-Challenge");
    userWithPin("r.thief");
    Reply stolen = radclient.auth("r.thief", "2468", newPin.state());
    assertThat(stolen.code()).as(stolen.output()).isEqualTo("Access-Reject");
  }

  @Test
  void afterFailuresTheRightPasscodeAsksForTheNextOne() {
    byte[] seed = userWithPin("r.next");
    for (int i = 0; i < 3; i++) {
      assertThat(auth("r.next", PIN + "00000" + i).code()).isEqualTo("Access-Reject");
    }
    Reply next = auth("r.next", PIN + j.code(seed));
    assertThat(next.code()).as(next.output()).isEqualTo("Access-Challenge");
    j.clock.advanceSeconds(30);
    Reply accept = radclient.auth("r.next", PIN + j.code(seed), next.state());
    assertThat(accept.code()).as(accept.output()).isEqualTo("Access-Accept");
  }

  @Test
  void tenFailuresLockTheUserOutEvenForTheRightPasscode() {
    byte[] seed = userWithPin("r.locked");
    for (int i = 0; i < 10; i++) {
      assertThat(auth("r.locked", PIN + "11111" + i).code()).isEqualTo("Access-Reject");
    }
    Reply locked = auth("r.locked", PIN + j.code(seed));
    assertThat(locked.code()).as(locked.output()).isEqualTo("Access-Reject");
    j.api.awaitAudit(
        "r.locked", 50, e -> String.valueOf(e.getString("reason")).contains("locked"), 1);
  }

  @Test
  void aWrongSharedSecretIsIgnoredAndCounted() {
    byte[] seed = userWithPin("r.secret");
    double before = drops("bad_message_authenticator");
    Reply r = new Radclient(port, "not-the-secret").auth("r.secret", PIN + j.code(seed), null);
    assertThat(r.code()).as(r.output()).isNull();
    assertThat(r.exit()).isNotZero();
    assertThat(drops("bad_message_authenticator")).isEqualTo(before + 1);
    assertThat(auth("r.secret", PIN + j.code(seed)).code()).isEqualTo("Access-Accept");
  }

  @Test
  void aRequestWithoutMessageAuthenticatorIsDroppedUnlessTheClientSaysOtherwise() {
    byte[] seed = userWithPin("r.noma");
    List<String> plain =
        List.of("User-Name = \"r.noma\"", "User-Password = \"" + PIN + j.code(seed) + "\"");
    double before = drops("no_message_authenticator");
    Reply dropped = radclient.send("auth", plain, secret);
    assertThat(dropped.code()).as(dropped.output()).isNull();
    assertThat(drops("no_message_authenticator")).isEqualTo(before + 1);

    String lax = radiusClient("nas-lax", "127.0.0.1/32", false, false);
    try {
      Eventually.eventuallyAsserts(
          Eventually.DEFAULT,
          () ->
              assertThat(
                      new Radclient(port, lax)
                          .send("status", List.of("Message-Authenticator = 0x00"), lax)
                          .code())
                  .isEqualTo("Access-Accept"));
      // Both clients hold 127.0.0.1/32: the same prefix, so the first by name, nas-lax, answers.
      Reply accepted = radclient.send("auth", plain, lax);
      assertThat(accepted.code()).as(accepted.output()).isEqualTo("Access-Accept");
    } finally {
      expect(j.api.admin("DELETE", "/v1/admin/radius-clients/nas-lax", null), 204);
    }
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () ->
            assertThat(
                    radclient
                        .send("status", List.of("Message-Authenticator = 0x00"), secret)
                        .code())
                .isEqualTo("Access-Accept"));
  }

  @Test
  void statusServerIsAnsweredForHealthChecks() {
    Reply r = radclient.send("status", List.of("Message-Authenticator = 0x00"), secret);
    assertThat(r.code()).as(r.output()).isEqualTo("Access-Accept");
  }

  @Test
  void aRetransmissionGetsTheSameAnswerAndIsDecidedOnce() throws Exception {
    byte[] seed = userWithPin("r.again");
    byte[] authenticator = new byte[16];
    new SecureRandom().nextBytes(authenticator);
    byte[] request =
        RadiusRequest.encode(
            RadiusCodes.ACCESS_REQUEST,
            77,
            authenticator,
            List.of(
                new Attribute(Attributes.USER_NAME, "r.again".getBytes(StandardCharsets.UTF_8)),
                new Attribute(
                    Attributes.USER_PASSWORD,
                    (PIN + j.code(seed)).getBytes(StandardCharsets.UTF_8))),
            secret.getBytes(StandardCharsets.UTF_8),
            true);
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(5_000);
      InetAddress to = InetAddress.getLoopbackAddress();
      for (int i = 0; i < 3; i++) {
        socket.send(new DatagramPacket(request, request.length, to, port));
      }
      byte[][] answers = new byte[3][];
      for (int i = 0; i < 3; i++) {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
          socket.receive(p);
          answers[i] = Arrays.copyOf(p.getData(), p.getLength());
        } catch (SocketTimeoutException e) {
          answers[i] = null;
        }
      }
      // The copies that came while the first was being decided were dropped; the others got its
      // answer, byte for byte.
      List<byte[]> got = Arrays.stream(answers).filter(a -> a != null).toList();
      RadiusAnswers.assertOneAcceptRepeated(got, authenticator, secret);
      socket.send(new DatagramPacket(request, request.length, to, port));
      DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
      socket.receive(p);
      assertThat(Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(got.get(0));
    }
    List<JsonObject> events =
        j.api.awaitAudit("r.again", 20, e -> !"ADMIN".equals(e.getString("decision")), 1);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getString("decision")).isEqualTo("ACCEPT");
  }

  @Test
  void garbageFromAKnownClientIsDroppedAndCountedAndTheIntakeGoesOn() throws Exception {
    double before = drops("malformed") + drops("unknown_code") + drops("bad_message_authenticator");
    Random random = new Random(20261206);
    int sent = 2_000;
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < sent; i++) {
        byte[] junk = new byte[random.nextInt(120)];
        random.nextBytes(junk);
        if (junk.length > 4 && random.nextBoolean()) {
          junk[0] = 1; // an Access-Request, with a lying length
          junk[2] = (byte) random.nextInt(256);
          junk[3] = (byte) random.nextInt(256);
        }
        socket.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
        if (i % 20 == 19) {
          // Paced: a burst would overflow the kernel's receive buffer, which drops datagrams
          // before Jeton sees them (counted in /proc/net/snmp, not here).
          Thread.sleep(2);
        }
      }
    }
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () ->
            assertThat(
                    drops("malformed")
                        + drops("unknown_code")
                        + drops("bad_message_authenticator")
                        + drops("no_message_authenticator"))
                .isGreaterThanOrEqualTo(before + sent * 0.9));
    assertThat(radclient.send("status", List.of("Message-Authenticator = 0x00"), secret).code())
        .isEqualTo("Access-Accept");
  }

  @Test
  void anEmptyDatagramDoesNotStopTheIntake() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 3; i++) {
        socket.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), port));
      }
    }
    Reply r = radclient.send("status", List.of("Message-Authenticator = 0x00"), secret);
    assertThat(r.code()).as(r.output()).isEqualTo("Access-Accept");
  }

  @Test
  void anAddressNoClientHoldsIsIgnoredAndCounted() throws Exception {
    double before = drops("unknown_client");
    byte[] status =
        RadiusRequest.encode(
            RadiusCodes.STATUS_SERVER,
            1,
            new byte[16],
            List.of(),
            secret.getBytes(StandardCharsets.UTF_8),
            true);
    // 127.0.0.2 is this machine too, but no client's network (127.0.0.1/32) holds it.
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"))) {
      socket.setSoTimeout(1_000);
      socket.send(
          new DatagramPacket(status, status.length, InetAddress.getByName("127.0.0.1"), port));
      DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
      boolean answered;
      try {
        socket.receive(p);
        answered = true;
      } catch (SocketTimeoutException e) {
        answered = false;
      }
      assertThat(answered).isFalse();
    }
    assertThat(drops("unknown_client")).isEqualTo(before + 1);
  }
}
