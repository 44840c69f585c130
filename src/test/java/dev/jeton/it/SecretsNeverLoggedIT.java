package dev.jeton.it;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Hotp;
import dev.jeton.otp.OtpAlgorithm;
import dev.jeton.otp.Totp;
import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.JetonJar;
import dev.jeton.testsupport.RedisServer;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API.md §2, last rule: no secret appears in any log line. Runs a whole session against the
 * packaged jar on Redis — provisioning, first login with NEW_PIN (including refused PINs),
 * NEXT_PASSCODE, a password login, wrong passcodes and passwords, emergency codes — then searches
 * everything the process wrote for every secret the test sent or received.
 */
@Timeout(90)
class SecretsNeverLoggedIT {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PERIOD = 2;
  private static final String USER = "alice.it";
  private static final String SERIAL = "IT-SECRETS-1";

  private RedisServer redis;
  private JetonJar jar;

  /** label → value: everything that must never show up in the output. */
  private final Map<String, String> secrets = new LinkedHashMap<>();

  @AfterEach
  void tearDown() {
    if (jar != null) {
      jar.stop();
    }
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void aFullSessionLeavesNoSecretInTheOutput() throws Exception {
    byte[] keyBytes = new byte[32];
    RANDOM.nextBytes(keyBytes);
    String masterKey = Base64.getEncoder().encodeToString(keyBytes);
    String adminToken = "it-admin-" + hex(16);
    secret("master key", masterKey);
    secret("master key (hex)", HexFormat.of().formatHex(keyBytes));
    secret("admin token", adminToken);

    redis = RedisServer.start();
    jar =
        JetonJar.start(
            "secrets",
            Map.of(
                "JETON_REDIS_URL", redis.url(),
                "JETON_MASTER_KEY", masterKey,
                "JETON_ADMIN_TOKEN", adminToken));
    assertThat(jar.started()).as("jar started; output:\n%s", jar.tail()).isTrue();
    Api api = new Api(jar.httpPort(), jar.adminPort(), adminToken);

    // ---- provisioning ----
    Api.Resp client =
        expect(api.admin("PUT", "/v1/admin/clients/portal-it", new JsonObject()), 200);
    String clientSecret = client.str("secret");
    assertThat(clientSecret).isNotBlank();
    secret("client secret", clientSecret);
    api.clientSecret(clientSecret);

    Api.Resp operator =
        expect(
            api.admin(
                "PUT", "/v1/admin/operators/helpdesk-it", new JsonObject().put("role", "helpdesk")),
            200);
    String operatorSecret = operator.str("secret");
    assertThat(operatorSecret).isNotBlank();
    secret("operator secret", operatorSecret);

    String password = "Correct-Horse-" + hex(8);
    secret("password", password);
    Api.Resp user =
        api.admin(
            "PUT",
            "/v1/admin/users/" + USER,
            new JsonObject().put("displayName", "Alice IT").put("password", password));
    assertThat(user.status()).as(user.raw()).isIn(200, 201);

    byte[] seed = new byte[20];
    RANDOM.nextBytes(seed);
    String base32 = TestJeton.base32(seed);
    secret("seed (base32)", base32);
    secret("seed (base32, lower case)", base32.toLowerCase());
    secret("seed (hex)", HexFormat.of().formatHex(seed));
    secret("seed (HEX)", HexFormat.of().withUpperCase().formatHex(seed));
    secret("seed (base64)", Base64.getEncoder().encodeToString(seed));
    expect(
        api.admin(
            "POST",
            "/v1/admin/tokens",
            new JsonObject()
                .put("serial", SERIAL)
                .put("type", "totp")
                .put("algorithm", "SHA1")
                .put("digits", 6)
                .put("period", PERIOD)
                .put("secret", base32)),
        201);
    expect(api.admin("PUT", "/v1/admin/users/" + USER + "/tokens/" + SERIAL, null), 200);

    Totp totp =
        new Totp(new Hotp(OtpAlgorithm.SHA1, 6), Duration.ofSeconds(PERIOD), Clock.systemUTC());

    // ---- first login: code alone → NEW_PIN ----
    long firstStep = totp.currentStep();
    String firstCode = code(totp, seed, firstStep);
    Api.Resp r = expect(api.login(USER, firstCode), 200);
    assertThat(r.str("challenge")).as(r.raw()).isEqualTo("NEW_PIN");
    String state = r.str("state");

    // a mismatched confirmation, then a trivial PIN: 400, the challenge stays open
    String pin = "5829";
    secret("PIN", pin);
    secret("mismatched confirmation", "5839");
    r = api.newPin(USER, state, pin, "5839");
    assertThat(r.status()).as(r.raw()).isEqualTo(400);
    assertThat(r.str("error")).as(r.raw()).isEqualTo("pin_mismatch");
    secret("trivial PIN", "4444");
    r = api.newPin(USER, state, "4444", "4444");
    assertThat(r.status()).as(r.raw()).isEqualTo(400);
    assertThat(r.str("error")).as(r.raw()).isEqualTo("pin_policy");

    r = expect(api.newPin(USER, state, pin, pin), 200);
    assertThat(r.str("challenge")).as(r.raw()).isEqualTo("NEXT_PASSCODE");
    String nextState = r.str("state");

    // ---- NEXT_PASSCODE: wait for the key to show a later code, then PIN + that code ----
    long nextStep = awaitStepAfter(totp, firstStep);
    r = expect(api.answer(USER, nextState, passcode(pin, code(totp, seed, nextStep))), 200);
    assertThat(r.str("decision")).as(r.raw()).isEqualTo("ACCEPT");
    assertThat(r.str("method")).isEqualTo("otp");

    // ---- a password login ----
    r = expect(api.login(USER, password), 200);
    assertThat(r.str("decision")).as(r.raw()).isEqualTo("ACCEPT");
    assertThat(r.str("method")).isEqualTo("password");

    // ---- wrong passcodes: right PIN + wrong code, wrong PIN + the current code ----
    String wrongCode1 = wrongCode(totp, seed);
    String wrongCode2 = wrongCode(totp, seed);
    secret("wrong code 1", wrongCode1);
    secret("wrong code 2", wrongCode2);
    expectReject(api.login(USER, passcode(pin, wrongCode1)));
    expectReject(api.login(USER, passcode(pin, wrongCode2)));
    String wrongPin = "6173";
    secret("wrong PIN", wrongPin);
    expectReject(api.login(USER, passcode(wrongPin, code(totp, seed, totp.currentStep()))));

    // ---- wrong passwords ----
    String wrongPassword1 = "Wrong-Horse-" + hex(8);
    String wrongPassword2 = "Wrong-Battery-" + hex(8);
    secret("wrong password 1", wrongPassword1);
    secret("wrong password 2", wrongPassword2);
    expectReject(api.login(USER, wrongPassword1));
    expectReject(api.login(USER, wrongPassword2));

    // ---- emergency codes, issued by the helpdesk operator; one used after the PIN ----
    Api.Resp issued =
        expect(
            api.adminAs(
                operatorSecret,
                "POST",
                "/v1/admin/users/" + USER + "/emergency-codes",
                new JsonObject().put("count", 3).put("validSeconds", 3600)),
            200);
    JsonArray codes = issued.json().getJsonArray("codes");
    assertThat(codes).as(issued.raw()).hasSize(3);
    for (int i = 0; i < codes.size(); i++) {
      secret("emergency code " + i, codes.getString(i));
    }
    r = expect(api.login(USER, passcode(pin, codes.getString(0))), 200);
    assertThat(r.str("decision")).as(r.raw()).isEqualTo("ACCEPT");
    assertThat(r.str("method")).isEqualTo("emergency");
    // used once: the same emergency code again is refused
    expectReject(api.login(USER, passcode(pin, codes.getString(0))));

    // ---- the portal: a wrong passcode, then an emergency code; its CSRF and session cookies are
    // secrets too ----
    portalLogins(jar.httpPort(), passcode(pin, "000000"), passcode(pin, codes.getString(1)));

    // ---- stop and search the whole output ----
    jar.stop();
    String output = jar.output();

    // every log line is one flat JSON object; the decision lines carry their key-value pairs as
    // top-level fields
    List<JsonObject> lines =
        output
            .lines()
            .filter(l -> !l.isBlank())
            .map(
                line -> {
                  JsonObject json = new JsonObject(line);
                  assertThat(json.getString("level"))
                      .as("every log line is one JSON object: %s", line)
                      .isNotNull();
                  assertThat(json.getString("logger")).as("its logger: %s", line).isNotNull();
                  assertThat(json.containsKey("kvpList"))
                      .as("flat, no kvpList: %s", line)
                      .isFalse();
                  return json;
                })
            .toList();
    List<JsonObject> decisions =
        lines.stream().filter(j -> "decision".equals(j.getString("message"))).toList();
    assertThat(decisions)
        .as("the log shows the decisions (so an empty log cannot pass)")
        .extracting(j -> j.getString("decision"))
        .contains("ACCEPT", "CHALLENGE", "REJECT");
    List<JsonObject> accepts =
        decisions.stream().filter(j -> "ACCEPT".equals(j.getString("decision"))).toList();
    assertThat(accepts)
        .as("ACCEPT lines for otp, password and emergency")
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(accepts)
        .as("each decision line names its user by a 12-character reference")
        .allSatisfy(j -> assertThat(j.getString("user")).hasSize(12));

    SoftAssertions soft = new SoftAssertions();
    secrets.forEach(
        (label, value) ->
            soft.assertThat(leaks(output, value))
                .as("the output (%s) contains the %s '%s'", jar.logFile(), label, value)
                .isFalse());
    soft.assertAll();
  }

  // ---- helpers ----

  /**
   * Logs in through the portal's forms, as a browser would: the first passcode fails, the second
   * signs in.
   */
  private void portalLogins(int port, String wrong, String right) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    java.net.http.HttpResponse<String> page =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/portal")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    String cookie = page.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    java.util.regex.Matcher m =
        Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).as(page.body()).isTrue();
    secret("CSRF cookie", cookie.split("=", 2)[1]);
    secret("CSRF token", m.group(1));
    int[] expected = {401, 200};
    String[] passcodes = {wrong, right};
    for (int i = 0; i < 2; i++) {
      java.net.http.HttpResponse<String> r =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/portal/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Cookie", cookie)
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "csrf="
                              + java.net.URLEncoder.encode(
                                  m.group(1), java.nio.charset.StandardCharsets.UTF_8)
                              + "&username="
                              + USER
                              + "&password="
                              + passcodes[i]))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(expected[i]);
      r.headers().allValues("set-cookie").stream()
          .filter(c -> c.startsWith("jeton_session="))
          .forEach(c -> secret("session cookie", c.split(";", 2)[0].split("=", 2)[1]));
    }
    assertThat(secrets).containsKey("session cookie");
  }

  private void secret(String label, String value) {
    secrets.putIfAbsent(label, value);
  }

  /** Records the code and the passcode as secrets and returns PIN + code. */
  private String passcode(String pin, String code) {
    String passcode = pin + code;
    secret("passcode " + passcode, passcode);
    return passcode;
  }

  private String code(Totp totp, byte[] seed, long step) {
    String code = totp.generate(seed, step);
    secret("code of step " + step, code);
    return code;
  }

  /**
   * Long values are searched as plain substrings. Short all-digit values (4-digit PINs, 6-digit
   * codes) are searched as whole tokens — not inside a longer run of letters or digits — so that a
   * port number or a hex hash that happens to contain the same digits does not count as a leak.
   */
  private static boolean leaks(String output, String value) {
    if (value.length() >= 8 || !value.chars().allMatch(Character::isDigit)) {
      return output.contains(value);
    }
    return Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(value) + "(?![0-9A-Za-z])")
        .matcher(output)
        .find();
  }

  /** Polls the clock (bounded) until the TOTP step is past {@code step}; returns the new step. */
  private static long awaitStepAfter(Totp totp, long step) {
    eventually(
        "the TOTP step advances past " + step,
        Duration.ofSeconds(PERIOD + 5),
        () -> totp.currentStep() > step);
    return totp.currentStep();
  }

  /**
   * A six-digit code that matches no step anywhere near now (not even in the resynchronisation
   * window).
   */
  private static String wrongCode(Totp totp, byte[] seed) {
    long now = totp.currentStep();
    List<String> near = new ArrayList<>();
    for (long s = now - 40; s <= now + 40; s++) {
      near.add(totp.generate(seed, s));
    }
    while (true) {
      String c = String.format("%06d", RANDOM.nextInt(1_000_000));
      if (!near.contains(c)) {
        return c;
      }
    }
  }

  private static Api.Resp expect(Api.Resp r, int status) {
    assertThat(r.status()).as("HTTP status; body: %s", r.raw()).isEqualTo(status);
    return r;
  }

  private static void expectReject(Api.Resp r) {
    assertThat(r.status()).as("HTTP status; body: %s", r.raw()).isEqualTo(401);
    assertThat(r.str("decision")).as(r.raw()).isEqualTo("REJECT");
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
