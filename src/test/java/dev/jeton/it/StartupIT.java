package dev.jeton.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.testsupport.Api;
import dev.jeton.testsupport.JetonJar;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** API.md §1: how the packaged jar starts, and how it refuses to start. */
@Timeout(60)
class StartupIT {

  /** Exit code of a configuration error (Main). */
  private static final int CONFIG_ERROR = 2;

  private static final long EXIT_TIMEOUT_MS = 20_000;
  private static final Pattern PRINTED_TOKEN =
      Pattern.compile("Jeton admin token \\(shown once[^\\n]*\\n\\s*(\\S+)");

  private JetonJar jar;

  @AfterEach
  void tearDown() {
    if (jar != null) {
      jar.stop();
    }
  }

  @Test
  void withNothingButPortsItRunsOnTheEmbeddedStoreAndPrintsAWorkingAdminToken() {
    jar = JetonJar.start("startup-embedded", Map.of());
    assertThat(jar.started()).as("jar started; output:\n%s", jar.tail()).isTrue();

    String output = jar.output();
    assertThat(output)
        .as("the volatile store is announced loudly")
        .contains("EMBEDDED IN-MEMORY STORE");
    Matcher m = PRINTED_TOKEN.matcher(output);
    assertThat(m.find()).as("a generated admin token is printed; output:\n%s", output).isTrue();
    String token = m.group(1);
    assertThat(token).hasSizeGreaterThanOrEqualTo(16);

    Api api = new Api(jar.httpPort(), jar.adminPort(), token);
    Api.Resp r = api.adminGet("/v1/admin/users/nobody");
    assertThat(r.status()).as("the printed token is an admin token: %s", r.raw()).isEqualTo(404);
    Api.Resp anonymous = api.adminAs(null, "GET", "/v1/admin/users/nobody", null);
    assertThat(anonymous.status()).as("without a token: %s", anonymous.raw()).isEqualTo(401);
    Api.Resp wrong =
        api.adminAs("not-the-printed-token-0123456789", "GET", "/v1/admin/users/nobody", null);
    assertThat(wrong.status()).as("with another token: %s", wrong.raw()).isEqualTo(401);

    assertThat(api.raw("GET", "public", "/health/ready", null, null, null).status())
        .as("public /health/ready")
        .isEqualTo(200);
    assertThat(api.raw("GET", "admin", "/health/ready", null, null, null).status())
        .as("admin /health/ready")
        .isEqualTo(200);
    assertThat(api.raw("GET", "public", "/health/live", null, null, null).status())
        .as("public /health/live")
        .isEqualTo(200);

    jar.stop();
    assertThat(count(jar.output(), token))
        .as("the generated token is printed exactly once")
        .isEqualTo(1);
  }

  @Test
  void withTheDemoOnAndNoHostSetThePublicListenerBindsLoopbackAndSaysWhy() throws Exception {
    // A blank JETON_HTTP_HOST counts as unset (JetonJar would otherwise set 127.0.0.1 itself).
    jar = JetonJar.start("startup-demo-loopback", Map.of("JETON_HTTP_HOST", ""));
    assertThat(jar.started()).as("jar started; output:\n%s", jar.tail()).isTrue();
    String output = jar.output();
    assertThat(output.lines().filter(l -> l.contains("public_listener_loopback_for_demo")))
        .as("the start says which address and why; output:\n%s", output)
        .singleElement()
        .asString()
        .contains("127.0.0.1")
        .contains("demo");
    Api api = new Api(jar.httpPort(), jar.adminPort(), null);
    assertThat(api.raw("GET", "public", "/portal/demo-key", null, null, null).status())
        .as("the person at the machine sees the demo")
        .isEqualTo(200);
    java.net.InetAddress outside = nonLoopbackAddress();
    if (outside != null) {
      try (java.net.Socket s = new java.net.Socket()) {
        assertThatThrownBy(
                () -> s.connect(new java.net.InetSocketAddress(outside, jar.httpPort()), 2_000))
            .as("%s:%d is not served", outside, jar.httpPort())
            .isInstanceOf(java.io.IOException.class);
      }
    }
  }

  /** An IPv4 address of this machine other than loopback, or null when it has none. */
  private static java.net.InetAddress nonLoopbackAddress() throws java.net.SocketException {
    for (java.net.NetworkInterface i :
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (java.net.InetAddress a : java.util.Collections.list(i.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "JETON_HTTP_PORT, abc",
    "JETON_LOCKOUT_FAILURES, 0",
    "JETON_PIN_FORBID_TRIVIAL, maybe",
  })
  void aBadValueStopsTheStartWithExitCode2NamingTheVariable(String variable, String value) {
    Map<String, String> env = new HashMap<>();
    env.put(variable, value);
    jar = JetonJar.start("startup-bad-" + variable, env);

    assertThat(jar.exitCode(EXIT_TIMEOUT_MS))
        .as("exit code; output:\n%s", jar.output())
        .isEqualTo(CONFIG_ERROR);
    assertThat(jar.output()).doesNotContain("\"message\":\"started\"").contains(variable);
  }

  @Test
  void redisWithoutAMasterKeyIsRefused() {
    jar =
        JetonJar.start(
            "startup-redis-nokey",
            Map.of(
                "JETON_REDIS_URL",
                "redis://127.0.0.1:" + JetonJar.freePort(),
                "JETON_ADMIN_TOKEN",
                "startup-admin-token-0123456789"));

    assertThat(jar.exitCode(EXIT_TIMEOUT_MS))
        .as("exit code; output:\n%s", jar.output())
        .isEqualTo(CONFIG_ERROR);
    assertThat(jar.output()).doesNotContain("\"message\":\"started\"").contains("JETON_MASTER_KEY");
  }

  @ParameterizedTest(name = "{0} bytes")
  @CsvSource({"16", "31", "33"})
  void aMasterKeyOfTheWrongLengthIsRefusedWithoutEchoingIt(int bytes) {
    byte[] key = new byte[bytes];
    new SecureRandom().nextBytes(key);
    String badKey = Base64.getEncoder().encodeToString(key);
    jar = JetonJar.start("startup-badkey-" + bytes, Map.of("JETON_MASTER_KEY", badKey));

    int code = jar.exitCode(EXIT_TIMEOUT_MS);
    String output = jar.output();
    assertThat(code).as("exit code; output:\n%s", output).isEqualTo(CONFIG_ERROR);
    assertThat(output).doesNotContain("\"message\":\"started\"").contains("JETON_MASTER_KEY");
    assertThat(output).as("the bad key is not echoed").doesNotContain(badKey);
    assertThat(output).as("nor its unpadded form").doesNotContain(badKey.replace("=", ""));
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle);
        i >= 0;
        i = haystack.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }
}
