package dev.jeton.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jeton.config.ReturnHosts;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnUrlTest {

  private static final Set<String> ALLOWED =
      ReturnHosts.parse("allowed.example, app.example:8443, [::1]:8080");

  @Test
  void allowedHostWithPathAndQueryIsKept() {
    assertThat(ReturnUrl.allowed("https://allowed.example/inbox?folder=a&x=%2F#top", ALLOWED))
        .contains("https://allowed.example/inbox?folder=a&x=%2F#top");
    assertThat(ReturnUrl.allowed("http://allowed.example", ALLOWED))
        .contains("http://allowed.example");
  }

  @Test
  void entryWithoutPortAllowsAnyPort() {
    assertThat(ReturnUrl.allowed("https://allowed.example:9443/x", ALLOWED))
        .contains("https://allowed.example:9443/x");
  }

  @Test
  void entryWithPortAllowsOnlyThatPort() {
    assertThat(ReturnUrl.allowed("https://app.example:8443/", ALLOWED))
        .contains("https://app.example:8443/");
    assertThat(ReturnUrl.allowed("https://app.example:8444/", ALLOWED)).isEmpty();
    assertThat(ReturnUrl.allowed("https://app.example/", ALLOWED)).isEmpty();
    assertThat(ReturnUrl.allowed("http://[::1]:8080/done", ALLOWED))
        .contains("http://[::1]:8080/done");
    assertThat(ReturnUrl.allowed("http://[::1]:8081/done", ALLOWED)).isEmpty();
  }

  @Test
  void missingPortCountsAsTheSchemeDefault() {
    Set<String> hosts = ReturnHosts.parse("secure.example:443");
    assertThat(ReturnUrl.allowed("https://secure.example/", hosts)).isPresent();
    assertThat(ReturnUrl.allowed("http://secure.example/", hosts)).isEmpty();
  }

  @Test
  void hostAndSchemeAreCaseInsensitive() {
    assertThat(ReturnUrl.allowed("HTTPS://Allowed.EXAMPLE/Path", ALLOWED))
        .contains("HTTPS://Allowed.EXAMPLE/Path");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/inbox",
        "inbox",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example",
        "https:/\\evil.example",
        "https://allowed.example\\@evil.example/",
        "javascript:alert(1)",
        "JavaScript://allowed.example/%0aalert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "https:evil.example",
        "https:allowed.example",
        "ftp://allowed.example/",
        "https://allowed.example@evil.example/",
        "https://user:pass@allowed.example/",
        "https://allowed.example%40evil.example/",
        "https://evil.example/?https://allowed.example",
        "https://evil.example/#https://allowed.example",
        "https://allowed.example.evil.example/",
        "https://evilallowed.example/",
        "https://allowed.example./",
        "https://allowed%2eexample/",
        "https://%61llowed.example/",
        "https://\uff41llowed.example/",
        "https://allowed.example:0/",
        "https://allowed.example:65536/",
        "https://allowed.example:99999999999/",
        "https:///allowed.example/",
        "https://allowed.example /",
        "https://allowed.example/\tx",
        "\thttps://allowed.example/",
        "https://allowed.example/\r\nSet-Cookie:x=y",
        "https://allowed.example/\u0000",
        "https://allowed.example/\u00a0",
        "https://allowed.example/\u2028",
        "https://[::2]:8080/",
        "https://",
        "   ",
        ""
      })
  void attackVectorsAreRefused(String candidate) {
    assertThat(ReturnUrl.allowed(candidate, ALLOWED)).isEmpty();
  }

  @Test
  void nullOversizedOrEmptyAllowListIsRefused() {
    assertThat(ReturnUrl.allowed(null, ALLOWED)).isEmpty();
    String longUrl = "https://allowed.example/" + "a".repeat(ReturnUrl.MAX_LENGTH);
    assertThat(ReturnUrl.allowed(longUrl, ALLOWED)).isEmpty();
    String justFits = "https://allowed.example/" + "a".repeat(ReturnUrl.MAX_LENGTH - 24);
    assertThat(ReturnUrl.allowed(justFits, ALLOWED)).isPresent();
    assertThat(ReturnUrl.allowed("https://allowed.example/", Set.of())).isEmpty();
    assertThat(ReturnUrl.allowed("https://allowed.example/", null)).isEmpty();
  }

  @Test
  void parseHostsLowercasesTrimsAndSkipsEmptyEntries() {
    assertThat(ReturnHosts.parse(" App.Example , ,localhost:8080,[FD00::1]:443,"))
        .containsExactly("app.example", "localhost:8080", "[fd00::1]:443");
    assertThat(ReturnHosts.parse(null)).isEmpty();
    assertThat(ReturnHosts.parse("  ")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://app.example",
        "app.example/",
        "app_example",
        "app.example:0",
        "app.example:65536",
        "app.example:",
        "app.example:80a",
        "*.example",
        "[::1",
        "::1",
        "[zz::1]",
        "user@app.example",
        "app\u00e9.example"
      })
  void parseHostsRejectsAndNamesBadEntries(String entry) {
    assertThatThrownBy(() -> ReturnHosts.parse("good.example, " + entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(entry.trim());
  }
}
