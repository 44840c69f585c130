package dev.jeton.attack;

import static dev.jeton.testsupport.Eventually.eventually;
import static dev.jeton.testsupport.Eventually.eventuallyAsserts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.otp.Totp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, hole 1 (the helpdesk learns a PIN through the audit and /metrics) and the enumeration
 * classics: nothing anyone reads tells which part of a passcode was wrong, nor whether a username
 * exists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class PasscodeOracleIT {

  /** The one audit reason of a wrong passcode, whichever part was wrong (issue 15, hole 1). */
  static final String WRONG_PASSCODE_REASON = "wrong_passcode";

  /**
   * Reasons that tell a secret's shape or a username's existence; none may be a label value on
   * /metrics.
   */
  static final Set<String> TELLING_REASONS =
      Set.of("wrong_pin", "wrong_code", "unknown_user", "replayed_code");

  /** Audit reasons that would tell the helpdesk which part of a passcode was wrong. */
  static final Set<String> PIN_ORACLE_REASONS = Set.of("wrong_pin", "wrong_code");

  /**
   * Where Prometheus scrapes: the management listener; the admin token is sent in case the scrape
   * needs one.
   */
  static final String METRICS_PATH = "/metrics";

  private static final String PIN = "5829";
  private static final String WRONG_PIN = "7316";
  private static final int PERIOD = 30;

  private Target target;
  private String client;
  private String helpdesk;
  private final Totp totp = Target.totp(PERIOD);
  private byte[] pinSeed;
  private byte[] noPinSeed;

  @BeforeAll
  void start() {
    target = Targets.main();
    client = target.client("oracle-portal", false, null);
    helpdesk = target.operator("helpdesk-curious", "helpdesk");
    target.user("pin.user", null);
    pinSeed = target.totpToken("pin.user", "ORC-PIN", PERIOD, PIN);
    target.user("nopin.user", null);
    noPinSeed = target.totpToken("nopin.user", "ORC-NOPIN", PERIOD, null);
    target.user("pw.user", "Correct-Horse-" + Target.hex(6));
    target.totpToken("pw.user", "ORC-PW", PERIOD, PIN);
  }

  @Test
  void wrongPinAndWrongCodeGetTheSameAnswerOnBothEncodings() {
    String code = totp.generate(pinSeed, totp.currentStep());
    String wrongCode = Target.wrongCode(totp, pinSeed);
    Http.Res wrongPin = target.login(client, "pin.user", WRONG_PIN + code);
    Http.Res wrongCodeRes = target.login(client, "pin.user", PIN + wrongCode);
    assertThat(wrongPin.status()).as("%s", wrongPin).isEqualTo(401);
    assertSameAnswer(
        wrongPin, wrongCodeRes, "JSON: wrong PIN + right code vs right PIN + wrong code");

    Http.Res formPin = form("pin.user", WRONG_PIN + code);
    Http.Res formCode = form("pin.user", PIN + Target.wrongCode(totp, pinSeed));
    assertThat(formPin.status()).as("%s", formPin).isEqualTo(401);
    assertSameAnswer(formPin, formCode, "form: wrong PIN + right code vs right PIN + wrong code");
  }

  @Test
  void theAuditDoesNotTellTheHelpdeskWhichPartOfAPasscodeWasWrong() {
    String user = "audit.user";
    target.user(user, null);
    byte[] seed = target.totpToken(user, "ORC-AUDIT", PERIOD, PIN);
    assertThat(
            target
                .login(client, user, WRONG_PIN + totp.generate(seed, totp.currentStep()))
                .status())
        .isEqualTo(401);
    assertThat(target.login(client, user, PIN + Target.wrongCode(totp, seed)).status())
        .isEqualTo(401);

    List<JsonObject> rejects = awaitAudit(user, e -> "REJECT".equals(e.getString("decision")), 2);
    assertThat(rejects).as("the two REJECTs in the audit, as the helpdesk reads it").hasSize(2);
    for (JsonObject e : rejects) {
      assertThat(e.getString("reason"))
          .as("audit event %s", e)
          .isEqualTo(WRONG_PASSCODE_REASON)
          .isNotIn(PIN_ORACLE_REASONS);
    }
    String body =
        target
            .adminAs(helpdesk, "GET", "/v1/admin/audit?username=" + user + "&limit=50", null)
            .body();
    for (String r : PIN_ORACLE_REASONS) {
      assertThat(body).as("the helpdesk's audit view").doesNotContain(r);
    }
  }

  @Test
  void noLogLineTellsWhichPartOfAPasscodeWasWrong() {
    String user = "log.user";
    target.user(user, null);
    byte[] seed = target.totpToken(user, "ORC-LOG", PERIOD, PIN);
    Http.Res wrongPin =
        target.login(client, user, WRONG_PIN + totp.generate(seed, totp.currentStep()));
    Http.Res wrongCode = target.login(client, user, PIN + Target.wrongCode(totp, seed));
    assertThat(wrongPin.status()).isEqualTo(401);
    assertThat(wrongCode.status()).isEqualTo(401);
    String ids = wrongPin.header("x-request-id") + "|" + wrongCode.header("x-request-id");
    // the log is written asynchronously: poll (bounded) for both requests' lines
    AtomicReference<List<String>> logged = new AtomicReference<>(List.of());
    eventuallyAsserts(
        Duration.ofSeconds(5),
        () -> {
          logged.set(target.output().lines().filter(l -> l.matches(".*(" + ids + ").*")).toList());
          assertThat(logged.get())
              .as("the log lines of both requests (else this proves nothing)")
              .hasSizeGreaterThanOrEqualTo(2);
        });
    List<String> lines = logged.get();
    for (String reason : PIN_ORACLE_REASONS) {
      assertThat(lines)
          .as("log lines of a wrong PIN and of a wrong code")
          .noneMatch(l -> l.contains(reason));
    }
  }

  @Test
  void metricsCarryNoReasonThatTellsAPartOfAPasscodeOrAnUnknownUser() {
    String user = "metrics.user";
    target.user(user, null);
    byte[] seed = target.totpToken(user, "ORC-METRICS", PERIOD, PIN);
    String code = totp.generate(seed, totp.currentStep());
    target.login(client, user, WRONG_PIN + code); // wrong PIN
    target.login(client, user, PIN + Target.wrongCode(totp, seed)); // wrong code
    target.login(client, "nobody-" + Target.hex(4), PIN + code); // unknown user
    assertThat(target.login(client, user, PIN + code).str("decision")).isEqualTo("ACCEPT");
    assertThat(target.login(client, user, PIN + code).status()).isEqualTo(401); // replayed code

    Http.Res scrape =
        target.http.get(
            target.adm(METRICS_PATH), Map.of("Authorization", "Bearer " + target.adminToken));
    assertThat(scrape.status()).as("scrape %s", scrape.status()).isEqualTo(200);
    assertThat(scrape.body())
        .as("the scrape counts decisions (else this test proves nothing)")
        .contains("jeton_auth_decisions_total");
    List<String> telling = new ArrayList<>();
    Matcher m = Pattern.compile("\\{[^}]*\\}").matcher(scrape.body());
    while (m.find()) {
      for (String reason : TELLING_REASONS) {
        if (m.group().contains("=\"" + reason + "\"")) {
          telling.add(m.group());
        }
      }
    }
    assertThat(telling)
        .as("label sets on /metrics that tell a secret's part or an unknown user")
        .isEmpty();
  }

  @Test
  void unknownAndKnownUsersAnswerAlikeInStatusBodyAndHeaders() {
    String unknown = "ghost-" + Target.hex(4);
    String[] values = {"123456", "5829123456", "Summer-2026!"};
    for (String value : values) {
      Map<String, Http.Res> answers = new LinkedHashMap<>();
      for (String user : List.of(unknown, "pw.user", "pin.user", "nopin.user")) {
        answers.put(user, target.login(client, user, value));
      }
      Http.Res first = answers.get(unknown);
      assertThat(first.status()).as("value %s: %s", value, first).isEqualTo(401);
      answers.forEach(
          (user, r) -> assertSameAnswer(first, r, "value " + value + ": unknown user vs " + user));
    }
    // A state that belongs to nobody, and one of another user: the same REJECT as a wrong value.
    Http.Res noState =
        target.authenticate(
            client,
            new JsonObject()
                .put("username", unknown)
                .put("state", "x".repeat(40))
                .put("password", "123456"));
    Http.Res known =
        target.authenticate(
            client,
            new JsonObject()
                .put("username", "pin.user")
                .put("state", "x".repeat(40))
                .put("password", "123456"));
    assertSameAnswer(noState, known, "a made-up state: unknown user vs known user");
  }

  @Test
  void aHelpdeskOperatorCannotLogInWithEmergencyCodesWithoutThePinAndIsNamedInTheAudit() {
    String user = "victim.user";
    target.user(user, null);
    target.totpToken(user, "ORC-VICTIM", PERIOD, PIN);
    Http.Res issued =
        target.expect(
            target.adminAs(
                helpdesk,
                "POST",
                "/v1/admin/users/" + user + "/emergency-codes",
                new JsonObject().put("count", 3).put("validSeconds", 600)),
            200);
    JsonArray codes = issued.json().getJsonArray("codes");
    assertThat(target.login(client, user, codes.getString(0)).status())
        .as("the code alone")
        .isEqualTo(401);
    assertThat(target.login(client, user, WRONG_PIN + codes.getString(0)).status())
        .as("a guessed PIN")
        .isEqualTo(401);
    Http.Res withPin = target.login(client, user, PIN + codes.getString(1));
    assertThat(withPin.str("method"))
        .as("the user, who knows the PIN: %s", withPin)
        .isEqualTo("emergency");

    List<JsonObject> admin =
        awaitAudit(
            user,
            e ->
                "ADMIN".equals(e.getString("decision"))
                    && String.valueOf(e.getString("reason")).contains("emergency"),
            1);
    assertThat(admin)
        .as("the helpdesk action in the audit")
        .anySatisfy(
            e -> {
              assertThat(e.getString("client"))
                  .as("who issued the codes")
                  .isEqualTo("helpdesk-curious");
              assertThat(e.getString("reason")).contains("emergency");
            });
  }

  // ---- helpers ----

  private Http.Res form(String username, String password) {
    String body =
        "username="
            + URLEncoder.encode(username, StandardCharsets.UTF_8)
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return target.http.send(
        "POST",
        target.pub("/v1/authenticate"),
        Map.of("Authorization", "Bearer " + client),
        "application/x-www-form-urlencoded",
        body);
  }

  /**
   * The audit events of {@code user} that {@code which} selects, polled until there are at least
   * {@code n}.
   */
  private List<JsonObject> awaitAudit(
      String user, java.util.function.Predicate<JsonObject> which, int n) {
    List<JsonObject> found = new ArrayList<>();
    eventually(
        "at least " + n + " such audit events of " + user,
        Duration.ofSeconds(10),
        () -> {
          Http.Res r =
              target.expect(
                  target.adminAs(
                      helpdesk, "GET", "/v1/admin/audit?username=" + user + "&limit=50", null),
                  200);
          found.clear();
          r.json()
              .getJsonArray("events")
              .forEach(
                  o -> {
                    JsonObject e = (JsonObject) o;
                    if (which.test(e)) {
                      found.add(e);
                    }
                  });
          return found.size() >= n;
        });
    return found;
  }

  static void assertSameAnswer(Http.Res a, Http.Res b, String what) {
    assertThat(b.status()).as("%s: status (%s vs %s)", what, a, b).isEqualTo(a.status());
    assertThat(b.body()).as("%s: body", what).isEqualTo(a.body());
    assertThat(b.stableHeaders()).as("%s: headers", what).isEqualTo(a.stableHeaders());
  }
}
