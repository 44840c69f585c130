package dev.jeton.e2e;

import static dev.jeton.testsupport.TestJeton.expect;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.Addresses;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.Sealer;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.Eventually;
import dev.jeton.testsupport.TestJeton;
import dev.jeton.track.BusStore;
import dev.jeton.track.RadiusClientRecord;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RADIUS clients on the admin API, end to end: put (a new secret each time, shown once), list,
 * read, delete, the networks refused, who may, and where the secret never shows; subclasses choose
 * the store.
 */
abstract class RadiusClients {

  TestJeton j;

  abstract String redisUrl();

  /**
   * The RADIUS clients' hash as Redis holds it (name → encoded record), read raw; null on the
   * embedded store.
   */
  abstract Map<String, String> rawHash() throws Exception;

  @BeforeEach
  void startNode() {
    j = TestJeton.start(redisUrl());
  }

  @AfterEach
  void stopNode() {
    j.close();
  }

  private Resp put(String name, JsonObject body) {
    return j.api.admin("PUT", "/v1/admin/radius-clients/" + name, body);
  }

  private List<JsonObject> list() {
    return expect(j.api.adminGet("/v1/admin/radius-clients"), 200)
        .json()
        .getJsonArray("radiusClients")
        .stream()
        .map(o -> (JsonObject) o)
        .toList();
  }

  /** What the RADIUS intake will read: the store over the bus, sealed secrets included. */
  private List<RadiusClientRecord> stored() throws Exception {
    return new BusStore(j.jeton.vertx(), 2_000).radiusClients().await(10, SECONDS);
  }

  private static JsonObject view(String name, String network, boolean mauth, boolean csid) {
    return new JsonObject()
        .put("name", name)
        .put("network", network)
        .put("requireMessageAuthenticator", mauth)
        .put("trustCallingStationId", csid);
  }

  @Test
  void aRadiusClientIsPutListedReadReplacedAndDeletedWithItsSecretShownOnce() throws Exception {
    assertThat(list()).isEmpty();
    BlockingQueue<String> told = new LinkedBlockingQueue<>();
    j.jeton
        .vertx()
        .eventBus()
        .<String>localConsumer(Addresses.RADIUS_CLIENTS_CHANGED, m -> told.add(m.body()))
        .completion()
        .await(10, SECONDS);

    Resp vpn = expect(put("vpn", new JsonObject().put("network", "10.1.0.0/16")), 200);
    String secret = vpn.str("secret");
    assertThat(secret).matches("[A-Za-z0-9]{32}");
    assertThat(vpn.json().getMap())
        .containsOnlyKeys(
            "name", "network", "requireMessageAuthenticator", "trustCallingStationId", "secret");
    assertThat(vpn.json().copy().put("secret", (String) null).getMap())
        .isEqualTo(view("vpn", "10.1.0.0/16", true, false).put("secret", (String) null).getMap());
    assertThat(told.poll(5, SECONDS)).as("this node's intake is told").isEqualTo("vpn");

    expect(
        put(
            "wifi",
            new JsonObject()
                .put("network", "FD00:0:0::/8")
                .put("requireMessageAuthenticator", false)
                .put("trustCallingStationId", true)),
        200);
    expect(put("ap-1", new JsonObject().put("network", "192.0.2.7/32")), 200);

    assertThat(list())
        .containsExactly(
            view("ap-1", "192.0.2.7/32", true, false),
            view("vpn", "10.1.0.0/16", true, false),
            view("wifi", "fd00::/8", false, true));
    assertThat(expect(j.api.adminGet("/v1/admin/radius-clients/wifi"), 200).json())
        .isEqualTo(view("wifi", "fd00::/8", false, true));
    Resp none = expect(j.api.adminGet("/v1/admin/radius-clients/nope"), 404);
    assertThat(none.str("detail")).isEqualTo("no such RADIUS client");

    // The intake's view: sealed under the master key, bound to the name.
    Sealer sealer = Keys.from(j.config.masterKey()).radiusSecrets();
    RadiusClientRecord kept =
        stored().stream().filter(c -> c.name().equals("vpn")).findFirst().orElseThrow();
    assertThat(kept.network()).isEqualTo("10.1.0.0/16");
    assertThat(kept.sealedSecret()).doesNotContain(secret);
    assertThat(sealer.open(kept.sealedSecret(), "vpn")).isEqualTo(secret);
    assertThat(sealer.open(kept.sealedSecret(), "wifi")).as("bound to its name").isNull();
    assertThat(
            new Sealer(j.config.masterKey(), "jeton/radius-secret/v1")
                .open(kept.sealedSecret(), "vpn"))
        .isEqualTo(secret);

    // A new secret on every PUT; the old one no longer opens from the store.
    told.clear();
    String renewed =
        expect(
                put(
                    "vpn",
                    new JsonObject()
                        .put("network", "10.2.0.0/16")
                        .put("trustCallingStationId", true)),
                200)
            .str("secret");
    assertThat(renewed).matches("[A-Za-z0-9]{32}").isNotEqualTo(secret);
    assertThat(told.poll(5, SECONDS)).isEqualTo("vpn");
    RadiusClientRecord replaced =
        stored().stream().filter(c -> c.name().equals("vpn")).findFirst().orElseThrow();
    assertThat(sealer.open(replaced.sealedSecret(), "vpn")).isEqualTo(renewed);
    assertThat(expect(j.api.adminGet("/v1/admin/radius-clients/vpn"), 200).json())
        .isEqualTo(view("vpn", "10.2.0.0/16", true, true));

    Map<String, String> raw = rawHash();
    if (raw != null) {
      assertThat(raw).containsOnlyKeys("ap-1", "vpn", "wifi");
      assertThat(String.join("\n", raw.values()))
          .as("Redis never holds a secret in clear")
          .doesNotContain(secret)
          .doesNotContain(renewed);
    }

    String listed = j.api.adminGet("/v1/admin/radius-clients").raw();
    assertThat(listed).doesNotContain(renewed).doesNotContain("secret").doesNotContain("sealed");

    told.clear();
    j.api.admin("DELETE", "/v1/admin/radius-clients/vpn", null);
    assertThat(told.poll(5, SECONDS)).isEqualTo("vpn");
    expect(j.api.admin("DELETE", "/v1/admin/radius-clients/vpn", null), 404);
    expect(j.api.adminGet("/v1/admin/radius-clients/vpn"), 404);
    assertThat(list()).extracting(o -> o.getString("name")).containsExactly("ap-1", "wifi");
    assertThat(stored()).extracting(RadiusClientRecord::name).containsExactly("ap-1", "wifi");

    // Audited, without the secret.
    AtomicReference<String> audit = new AtomicReference<>();
    Eventually.eventuallyAsserts(
        Eventually.DEFAULT,
        () -> {
          Resp events = expect(j.api.adminGet("/v1/admin/audit?limit=200"), 200);
          audit.set(events.raw());
          List<String> reasons =
              events.json().getJsonArray("events").stream()
                  .map(o -> ((JsonObject) o).getString("reason"))
                  .filter(r -> r != null && r.startsWith("radius_client"))
                  .toList();
          assertThat(reasons)
              .contains(
                  "radius_client_put:vpn",
                  "radius_client_put:wifi",
                  "radius_client_put:ap-1",
                  "radius_client_deleted:vpn");
        });
    assertThat(audit.get()).doesNotContain(secret).doesNotContain(renewed);
  }

  @Test
  void aNetworkThatIsNotACidrBlockOfLiteralsIsRefused() throws Exception {
    for (Object bad :
        new Object[] {
          "10.1.0.1/16",
          "10.0.0.0/33",
          "::/129",
          "example.com/8",
          "localhost/32",
          "",
          "10.1.0.0",
          "10.1.0.0/",
          "10.1.0.0/-1",
          "10.01.0.0/16",
          "10.1.0.0/016",
          "256.0.0.0/8",
          "1.2.3/24",
          "fd00::1/8",
          "fe80::1%eth0/128",
          "1::2::3/128",
          "1:2:3:4:5:6:7:8:9/128",
          " 10.1.0.0/16",
          16,
          true
        }) {
      Resp r = put("vpn", new JsonObject().put("network", bad));
      assertThat(r.status()).as("network %s", bad).isEqualTo(400);
      assertThat(r.str("error")).isEqualTo("invalid_request");
      assertThat(r.str("detail")).as("network %s", bad).containsAnyOf("network", "prefix length");
    }
    Resp missing = expect(put("vpn", new JsonObject()), 400);
    assertThat(missing.str("detail")).contains("network is required");
    expect(put("vpn", null), 400);
    expect(
        put(
            "vpn",
            new JsonObject()
                .put("network", "10.1.0.0/16")
                .put("requireMessageAuthenticator", "yes")),
        400);
    expect(
        put("vpn", new JsonObject().put("network", "10.1.0.0/16").put("trustCallingStationId", 1)),
        400);
    expect(put("bad%20name", new JsonObject().put("network", "10.1.0.0/16")), 400);
    Resp notJson =
        j.api.raw(
            "PUT",
            "admin",
            "/v1/admin/radius-clients/vpn",
            "application/json",
            "[1,2]",
            TestJeton.ADMIN_TOKEN);
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(list()).isEmpty();
    assertThat(stored()).isEmpty();

    // Normal forms.
    for (String[] ok :
        new String[][] {
          {"0.0.0.0/0", "0.0.0.0/0"},
          {"::/0", "::/0"},
          {"::1/128", "::1/128"},
          {"2001:DB8:0:0:1:0:0:0/128", "2001:db8:0:0:1::/128"},
          {"::ffff:192.0.2.0/120", "::ffff:c000:200/120"},
        }) {
      assertThat(expect(put("n", new JsonObject().put("network", ok[0])), 200).str("network"))
          .isEqualTo(ok[1]);
    }
  }

  @Test
  void onlyAnAdminMayManageRadiusClients() {
    String helpdesk =
        expect(
                j.api.admin(
                    "PUT", "/v1/admin/operators/desk", new JsonObject().put("role", "helpdesk")),
                200)
            .str("secret");
    JsonObject body = new JsonObject().put("network", "10.1.0.0/16");
    expect(j.api.adminAs(helpdesk, "PUT", "/v1/admin/radius-clients/vpn", body), 403);
    expect(j.api.adminAs(helpdesk, "GET", "/v1/admin/radius-clients", null), 403);
    expect(j.api.adminAs(helpdesk, "GET", "/v1/admin/radius-clients/vpn", null), 403);
    expect(j.api.adminAs(helpdesk, "DELETE", "/v1/admin/radius-clients/vpn", null), 403);
    expect(j.api.adminAs(null, "PUT", "/v1/admin/radius-clients/vpn", body), 401);
    expect(j.api.adminAs(null, "GET", "/v1/admin/radius-clients", null), 401);
    expect(j.api.adminAs(null, "GET", "/v1/admin/radius-clients/vpn", null), 401);
    expect(j.api.adminAs(null, "DELETE", "/v1/admin/radius-clients/vpn", null), 401);
    assertThat(list()).isEmpty();
  }
}
