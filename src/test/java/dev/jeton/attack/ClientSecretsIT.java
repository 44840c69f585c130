package dev.jeton.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A compromised or careless portal, and secrets rotated in a hurry (issue 15, hole 9): a request
 * cannot lower its client's level, and of concurrent rotations exactly one secret stays valid.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ClientSecretsIT {

  private static final int ROTATIONS = 16;
  private Target target;

  @BeforeAll
  void start() {
    target = Targets.main();
  }

  @Test
  void aRequestCannotLowerItsClientsDefaultLevelOtp() {
    String password = "Correct-Horse-" + Target.hex(6);
    target.user("level.user", password);
    String otpOnly = target.client("vpn-otp-only", false, "otp");
    String any = target.client("level-any", false, "any");
    assertThat(target.login(any, "level.user", password).str("decision"))
        .as("control: the password is right")
        .isEqualTo("ACCEPT");

    assertThat(target.login(otpOnly, "level.user", password).status())
        .as("a password on an otp client")
        .isEqualTo(401);
    Http.Res lowered =
        target.authenticate(
            otpOnly,
            new JsonObject()
                .put("username", "level.user")
                .put("password", password)
                .put("level", "any"));
    assertThat(lowered.status()).as("level=any on an otp client: %s", lowered).isEqualTo(401);
    assertThat(lowered.str("decision")).isEqualTo("REJECT");
    Http.Res form =
        target.http.send(
            "POST",
            target.pub("/v1/authenticate"),
            Map.of("Authorization", "Bearer " + otpOnly),
            "application/x-www-form-urlencoded",
            "username=level.user&level=any&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8));
    assertThat(form.status()).as("level=any in a form on an otp client: %s", form).isEqualTo(401);
  }

  @Test
  void concurrentClientSecretRotationsLeaveExactlyOneSecretValid() {
    target.client("rotated-portal", false, null);
    List<String> secrets = rotateConcurrently("/v1/admin/clients/rotated-portal", new JsonObject());
    int valid = 0;
    for (String s : secrets) {
      // A valid secret gets the request evaluated (a missing password is a 400); any other one gets
      // 401.
      Http.Res r = target.authenticate(s, new JsonObject().put("username", "nobody.rotation"));
      if (!"unauthorized_client".equals(r.str("error"))) {
        valid++;
      }
    }
    assertThat(valid)
        .as("valid secrets among %d returned by concurrent rotations", secrets.size())
        .isEqualTo(1);
  }

  @Test
  void concurrentOperatorSecretRotationsLeaveExactlyOneSecretValid() {
    target.operator("rotated-helpdesk", "helpdesk");
    List<String> secrets =
        rotateConcurrently(
            "/v1/admin/operators/rotated-helpdesk", new JsonObject().put("role", "helpdesk"));
    int valid = 0;
    for (String s : secrets) {
      if (target.adminAs(s, "GET", "/v1/admin/audit?limit=1", null).status() == 200) {
        valid++;
      }
    }
    assertThat(valid)
        .as("valid secrets among %d returned by concurrent rotations", secrets.size())
        .isEqualTo(1);
  }

  private List<String> rotateConcurrently(String path, JsonObject body) {
    List<CompletableFuture<Http.Res>> puts = new ArrayList<>();
    List<Http> clients = new ArrayList<>();
    for (int i = 0; i < ROTATIONS; i++) {
      Http h = new Http();
      clients.add(h);
      puts.add(
          h.sendAsync(
              "PUT",
              target.adm(path),
              Map.of("Authorization", "Bearer " + target.adminToken),
              "application/json",
              body.encode().getBytes(StandardCharsets.UTF_8)));
    }
    List<String> secrets = new ArrayList<>();
    for (CompletableFuture<Http.Res> f : puts) {
      Http.Res r = f.join();
      assertThat(r.status()).as("rotation: %s", r).isEqualTo(200);
      secrets.add(r.str("secret"));
    }
    assertThat(secrets).doesNotHaveDuplicates().hasSize(ROTATIONS);
    return secrets;
  }
}
