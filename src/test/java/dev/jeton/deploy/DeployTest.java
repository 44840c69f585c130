package dev.jeton.deploy;

import static dev.jeton.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.jeton.config.Config;
import dev.jeton.config.ConfigException;
import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps {@code deploy/} honest: every metric the alert rules and the dashboard read exists in a
 * live scrape of a node that has served logins, promtool accepts the rules, the scrape and the
 * Prometheus config, every manifest parses, and the probes, ports and environment variables of the
 * Dockerfile, compose file and Kubernetes manifests are the ones the code uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeployTest {

  private static final Path ROOT =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Path ALERTS = DEPLOY.resolve("monitoring/alerts.yml");
  private static final Path ALERT_TESTS = DEPLOY.resolve("monitoring/alerts.test.yml");
  private static final Path PROMETHEUS_CONFIG = DEPLOY.resolve("monitoring/prometheus.yml");
  private static final Path DASHBOARD = DEPLOY.resolve("grafana/jeton-dashboard.json");
  private static final Path COMPOSE = DEPLOY.resolve("compose.yaml");
  private static final Path K8S = DEPLOY.resolve("k8s");

  /** Series Prometheus makes itself rather than scraping them. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");

  /** Labels Prometheus attaches to every scraped series. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

  /** PromQL words that look like identifiers but name no metric. */
  private static final Set<String> PROMQL_KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan",
          "atan2",
          "start",
          "end");

  /**
   * Lint problems of {@code promtool check metrics} that come from Micrometer's own meter names
   * (its JVM and processor binders, enabled through Vert.x's JVM metrics), which deploy/ cannot
   * rename. Anything else it reports fails the test. They would go with a MeterFilter in
   * JetonMetrics that renames or denies these meters.
   */
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w:$.])([A-Za-z_:][A-Za-z0-9_:]*)");
  private static final Pattern SELECTOR =
      Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER_LABEL =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern JETON_VAR = Pattern.compile("JETON_[A-Z0-9_]+");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");

  private static final String VALID_MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final String VALID_ADMIN_TOKEN = "a-valid-admin-token-0123456789";

  private TestJeton j;
  private String scrape;

  /** Metric names in the scrape, each with the label names its series carry. */
  private Map<String, Set<String>> scraped;

  @BeforeAll
  void startNodeAndLogIn() throws Exception {
    j = TestJeton.start(null);
    byte[] seed = j.userWithToken("deploy-alice", "DEPLOY0001");
    // NEW_PIN opened and answered, NEXT_PASSCODE opened and answered, ACCEPT.
    j.firstLogin("deploy-alice", seed, "2580");
    // The code just accepted, again: refused as a replay.
    j.api.login("deploy-alice", "2580" + j.code(seed));
    for (int i = 0; i < 3; i++) {
      j.api.login("deploy-alice", "2580" + String.format("%06d", i));
    }
    j.api.login("deploy-nobody", "2580123456");
    j.api.answer("deploy-alice", "no-such-state", "2580123456");
    j.api.raw("GET", "admin", "/health/live", null, null, null);
    j.api.raw("GET", "admin", "/health/ready", null, null, null);
    // GC pause timers appear after the first collection; the event-loop delay after the first timer
    // ticks.
    System.gc();
    Set<String> wanted = new TreeSet<>();
    wanted.addAll(alertMetricNames());
    wanted.addAll(dashboardMetricNames());
    wanted.removeAll(PROMETHEUS_OWN);
    int[] status = new int[1];
    try {
      eventually(
          "a scrape with every metric the alerts and the dashboard read",
          Duration.ofSeconds(15),
          () -> {
            Resp r = j.api.raw("GET", "admin", "/metrics", null, null, null);
            status[0] = r.status();
            scrape = r.raw();
            scraped = parseScrape(scrape);
            return status[0] != 200 || scraped.keySet().containsAll(wanted);
          });
    } catch (AssertionError notAll) {
      // Some never appeared: the tests below name them, each for the file that reads them.
    }
    assertThat(status[0]).as("GET /metrics on the management listener").isEqualTo(200);
  }

  @AfterAll
  void stopNode() {
    if (j != null) {
      j.close();
    }
  }

  // ---- 1. metrics
  // ----------------------------------------------------------------------------------------------

  @Test
  void everyMetricTheAlertsReadExistsInALiveScrape() {
    Set<String> names = alertMetricNames();
    assertThat(names)
        .as("metric names found in alerts.yml")
        .hasSizeGreaterThan(5)
        .contains(
            "up",
            "jeton_auth_decisions_total",
            "jeton_auth_duration_seconds_bucket",
            "jeton_lockouts_total",
            "jeton_store_errors_total",
            "jeton_audit_events_dropped_total",
            "jeton_redis_replica_acks_failed_total",
            "jeton_redis_reconnects_total",
            "jeton_event_loop_delay_seconds_bucket");
    assertAllScraped(names, "alerts.yml");
  }

  @Test
  void everyMetricTheDashboardReadsExistsInALiveScrape() {
    Set<String> names = dashboardMetricNames();
    assertThat(names)
        .as("metric names found in the dashboard's expr fields")
        .contains(
            "jeton_auth_decisions_total",
            "jeton_auth_duration_seconds_bucket",
            "jeton_lockouts_total",
            "jeton_ip_throttled_total",
            "jeton_challenges_total",
            "jeton_store_script_duration_seconds_bucket",
            "jeton_store_errors_total",
            "jeton_redis_replica_acks_failed_total",
            "jeton_redis_reconnects_total",
            "jvm_memory_used_bytes",
            "jvm_memory_max_bytes",
            "jvm_gc_pause_seconds_sum",
            "process_cpu_usage",
            "jeton_event_loop_delay_seconds_bucket",
            "vertx_http_server_requests_total",
            "vertx_eventbus_pending");
    assertAllScraped(names, "jeton-dashboard.json");
  }

  @Test
  void labelsTheQueriesSelectOnExistOnTheirMetrics() {
    SoftAssertions soft = new SoftAssertions();
    List<String> exprs = new ArrayList<>(alertExpressions().values());
    exprs.addAll(dashboardExpressions());
    for (String expr : exprs) {
      String s = STRING.matcher(expr).replaceAll("\"\"");
      Set<String> metricsOfExpr = metricNames(expr);
      Matcher sel = SELECTOR.matcher(s);
      while (sel.find()) {
        String metric = sel.group(1);
        if (PROMETHEUS_OWN.contains(metric) || !scraped.containsKey(metric)) {
          continue; // a missing metric is reported by the tests above
        }
        Matcher label = MATCHER_LABEL.matcher(sel.group(2));
        while (label.find()) {
          String l = label.group(1);
          if (!TARGET_LABELS.contains(l)) {
            soft.assertThat(scraped.get(metric))
                .as("labels of %s, selected on in: %s", metric, expr)
                .contains(l);
          }
        }
      }
      Matcher g = GROUPING.matcher(s);
      while (g.find()) {
        for (String l : g.group(2).split(",")) {
          l = l.trim();
          if (l.isEmpty() || TARGET_LABELS.contains(l)) {
            continue;
          }
          String label = l;
          if (label.equals("le")) {
            soft.assertThat(metricsOfExpr)
                .as("`by (le)` needs a _bucket series in: %s", expr)
                .anyMatch(m -> m.endsWith("_bucket"));
            continue;
          }
          soft.assertThat(
                  metricsOfExpr.stream()
                      .filter(scraped::containsKey)
                      .anyMatch(m -> scraped.get(m).contains(label)))
              .as(
                  "label %s of a grouping is carried by one of %s in: %s",
                  label, metricsOfExpr, expr)
              .isTrue();
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void countersAndBucketsAreOnlyReadThroughRangeFunctions() {
    Pattern cumulative =
        Pattern.compile(
            "(?<![\\w:])([A-Za-z_:][A-Za-z0-9_:]*(?:_total|_bucket|_sum|_count))(?![\\w:])\\s*(\\{[^}]*})?\\s*(.|$)");
    List<String> exprs = new ArrayList<>(alertExpressions().values());
    exprs.addAll(dashboardExpressions());
    SoftAssertions soft = new SoftAssertions();
    for (String expr : exprs) {
      Matcher m = cumulative.matcher(STRING.matcher(expr).replaceAll("\"\""));
      while (m.find()) {
        soft.assertThat(m.group(3))
            .as("%s must be read through rate()/increase() over a range in: %s", m.group(1), expr)
            .isEqualTo("[");
      }
    }
    soft.assertAll();
  }

  @Test
  void everyAlertRuleIsDocumentedAndClassified() {
    SoftAssertions soft = new SoftAssertions();
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> rule : alertRules()) {
      String name = (String) rule.get("alert");
      soft.assertThat(name).as("every rule is an alerting rule with a name: %s", rule).isNotBlank();
      soft.assertThat(names.add(name)).as("alert names are unique: %s", name).isTrue();
      soft.assertThat(rule.get("for")).as("%s has a `for` duration", name).isNotNull();
      Map<String, Object> labels = map(rule.get("labels"));
      soft.assertThat(labels.get("severity"))
          .as("%s labels.severity", name)
          .isIn("critical", "warning", "info");
      Map<String, Object> annotations = map(rule.get("annotations"));
      for (String a : List.of("summary", "description", "runbook")) {
        soft.assertThat((String) annotations.get(a)).as("%s annotations.%s", name, a).isNotBlank();
      }
    }
    soft.assertThat(names)
        .as("the alerts deploy/README.md promises")
        .contains(
            "JetonRejectRatioHigh",
            "JetonLockoutSurge",
            "JetonAuthLatencyHigh",
            "JetonAuthUnavailable",
            "JetonStoreErrors",
            "JetonInstanceDown",
            "JetonAuditEventsDropped",
            "JetonEventLoopDelayHigh",
            "JetonRedisReplicaAcksFailing",
            "JetonRedisTopologyChanged");
    String readme = read(DEPLOY.resolve("README.md"));
    for (String name : names) {
      soft.assertThat(readme).as("deploy/README.md explains %s", name).contains(name);
    }
    String topologies = read(ROOT.resolve("docs/redis-topologies.md"));
    for (String name : names) {
      if (name.startsWith("JetonRedis")) {
        soft.assertThat(topologies).as("docs/redis-topologies.md explains %s", name).contains(name);
      }
    }
    soft.assertAll();
  }

  // ---- 2. promtool
  // ---------------------------------------------------------------------------------------------

  @Test
  void promtoolAcceptsTheAlertRules() throws Exception {
    Run r = run(null, promtool().toString(), "check", "rules", ALERTS.toString());
    System.out.println("promtool check rules:\n" + r.output());
    assertThat(r.code()).as("promtool check rules %s:%n%s", ALERTS, r.output()).isZero();
  }

  @Test
  void promtoolUnitTestsOfTheAlertRulesPass() throws Exception {
    Map<String, Object> tests = map(yamlDocs(ALERT_TESTS).get(0));
    assertThat(stringList(tests.get("rule_files"))).containsExactly("alerts.yml");
    Set<String> tested = new TreeSet<>();
    for (Object t : (List<?>) tests.get("tests")) {
      for (Object a : (List<?>) map(t).get("alert_rule_test")) {
        tested.add(String.valueOf(map(a).get("alertname")));
      }
    }
    assertThat(alertExpressions().keySet())
        .as("the alerts alerts.test.yml tests exist")
        .containsAll(tested);
    assertThat(tested)
        .as("alerts with unit tests")
        .contains("JetonRedisReplicaAcksFailing", "JetonRedisTopologyChanged");
    Run r = run(null, promtool().toString(), "test", "rules", ALERT_TESTS.toString());
    System.out.println("promtool test rules:\n" + r.output());
    assertThat(r.code()).as("promtool test rules %s:%n%s", ALERT_TESTS, r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void promtoolAcceptsThePrometheusConfig() throws Exception {
    // rule_files is relative to the config file, so this also loads deploy/monitoring/alerts.yml.
    Run r = run(null, promtool().toString(), "check", "config", PROMETHEUS_CONFIG.toString());
    System.out.println("promtool check config:\n" + r.output());
    assertThat(r.code())
        .as("promtool check config %s:%n%s", PROMETHEUS_CONFIG, r.output())
        .isZero();
    assertThat(r.output()).contains("1 rule files found");
  }

  @Test
  void promtoolAcceptsTheLiveScrape() throws Exception {
    Run r = run(scrape, promtool().toString(), "check", "metrics");
    // 0: parses and lints clean (1 would be a scrape that does not parse, 3 lint problems).
    assertThat(r.code()).as("promtool check metrics on a live scrape:%n%s", r.output()).isZero();
  }

  // ---- 3. everything parses
  // ------------------------------------------------------------------------------------

  @Test
  void everyManifestParses() throws IOException {
    List<Path> yamls;
    try (Stream<Path> s = Files.walk(K8S)) {
      yamls =
          s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    assertThat(yamls)
        .extracting(p -> p.getFileName().toString())
        .contains(
            "deployment.yaml",
            "service.yaml",
            "pdb.yaml",
            "hpa.yaml",
            "configmap.yaml",
            "secret.example.yaml",
            "networkpolicy.yaml");
    List<Path> all = new ArrayList<>(yamls);
    all.add(COMPOSE);
    all.add(ALERTS);
    all.add(ALERT_TESTS);
    all.add(PROMETHEUS_CONFIG);
    all.add(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"));
    all.add(DEPLOY.resolve("grafana/provisioning/dashboards/jeton.yaml"));
    for (Path p : all) {
      List<Object> docs = yamlDocs(p);
      assertThat(docs).as("YAML documents in %s", p).isNotEmpty().allMatch(d -> d instanceof Map);
    }
    for (Path p : yamls) {
      for (Object d : yamlDocs(p)) {
        Map<String, Object> doc = map(d);
        assertThat(doc)
            .as("a Kubernetes object in %s", p)
            .containsKeys("apiVersion", "kind", "metadata");
        assertThat(map(map(doc.get("metadata")).get("labels")))
            .as("labels of %s in %s", doc.get("kind"), p)
            .containsEntry("app.kubernetes.io/name", "jeton");
        assertThat(map(doc.get("metadata")))
            .as("namespace-agnostic: %s", p)
            .doesNotContainKey("namespace");
      }
    }
    JsonObject dashboard = new JsonObject(read(DASHBOARD));
    assertThat(dashboard.getString("uid")).isEqualTo("jeton");
    assertThat(dashboard.getInteger("schemaVersion")).isBetween(36, 41);
  }

  @Test
  void dashboardPanelsUseTheDatasourceVariableAndAreWellFormed() {
    JsonObject dashboard = new JsonObject(read(DASHBOARD));
    JsonArray vars = dashboard.getJsonObject("templating").getJsonArray("list");
    JsonObject ds =
        vars.stream()
            .map(JsonObject.class::cast)
            .filter(v -> v.getString("name").equals("DS_PROMETHEUS"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no DS_PROMETHEUS template variable"));
    assertThat(ds.getString("type")).isEqualTo("datasource");
    assertThat(ds.getString("query")).isEqualTo("prometheus");
    String provisionedUid =
        (String)
            map(((List<?>)
                        map(yamlDocs(
                                    DEPLOY.resolve(
                                        "grafana/provisioning/datasources/prometheus.yaml"))
                                .get(0))
                            .get("datasources"))
                    .get(0))
                .get("uid");
    assertThat(ds.getJsonObject("current").getString("value"))
        .as("defaults to the provisioned datasource")
        .isEqualTo(provisionedUid);
    Set<Integer> ids = new TreeSet<>();
    SoftAssertions soft = new SoftAssertions();
    for (JsonObject panel : panels(dashboard)) {
      soft.assertThat(ids.add(panel.getInteger("id")))
          .as("panel ids unique: %s", panel.getInteger("id"))
          .isTrue();
      if (panel.getString("type").equals("row")) {
        continue;
      }
      soft.assertThat(panel.getJsonObject("datasource").getString("uid"))
          .as("datasource of %s", panel.getString("title"))
          .isEqualTo("${DS_PROMETHEUS}");
      JsonArray targets = panel.getJsonArray("targets");
      soft.assertThat(targets).as("targets of %s", panel.getString("title")).isNotEmpty();
      Set<String> refIds = new TreeSet<>();
      for (Object t : targets) {
        JsonObject target = (JsonObject) t;
        soft.assertThat(target.getString("expr"))
            .as("expr in %s", panel.getString("title"))
            .isNotBlank();
        soft.assertThat(refIds.add(target.getString("refId")))
            .as("refIds unique in %s", panel.getString("title"))
            .isTrue();
      }
    }
    soft.assertAll();
  }

  // ---- 4. probes, ports, environment
  // ---------------------------------------------------------------------------

  @Test
  void probePathsAnswerOnTheManagementPort() {
    for (String path : List.of("/health/live", "/health/ready")) {
      assertThat(j.api.raw("GET", "admin", path, null, null, null).status())
          .as("GET %s on the admin port", path)
          .isEqualTo(200);
    }
  }

  @Test
  void kubernetesDeploymentProbesPortsAndSecurityMatchTheCode() {
    Config defaults = Config.from(Map.of());
    Map<String, Object> deployment = k8s("Deployment");
    Map<String, Object> podSpec = map(map(map(deployment.get("spec")).get("template")).get("spec"));
    Map<String, Object> podMeta =
        map(map(map(deployment.get("spec")).get("template")).get("metadata"));
    Map<String, Object> container = map(((List<?>) podSpec.get("containers")).get(0));
    Map<String, Integer> ports = containerPorts(container);
    assertThat(ports)
        .containsEntry("http", defaults.httpPort())
        .containsEntry("admin", defaults.adminPort());

    assertProbe(container, "readinessProbe", "/health/ready");
    assertProbe(container, "livenessProbe", "/health/live");
    assertProbe(container, "startupProbe", "/health/live");
    assertThat((Integer) map(deployment.get("spec")).get("replicas")).isGreaterThanOrEqualTo(2);

    Map<String, String> annotations = strings(podMeta.get("annotations"));
    assertThat(annotations)
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(defaults.adminPort()))
        .containsEntry("prometheus.io/path", "/metrics");

    Map<String, Object> resources = map(container.get("resources"));
    assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
    assertThat(map(resources.get("limits"))).containsKeys("cpu", "memory");

    assertThat(map(podSpec.get("securityContext"))).containsEntry("runAsNonRoot", true);
    Map<String, Object> csc = map(container.get("securityContext"));
    assertThat(csc)
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(stringList(map(csc.get("capabilities")).get("drop"))).containsExactly("ALL");
    assertThat((List<?>) container.get("volumeMounts"))
        .anySatisfy(
            m -> {
              assertThat(map(m)).containsEntry("mountPath", "/tmp");
              String volume = (String) map(m).get("name");
              assertThat((List<?>) podSpec.get("volumes"))
                  .anySatisfy(
                      v ->
                          assertThat(map(v)).containsEntry("name", volume).containsKey("emptyDir"));
            });

    Map<String, String> configMap = strings(map(k8s("ConfigMap")).get("data"));
    int grace =
        Integer.parseInt(
            configMap.getOrDefault(
                "JETON_SHUTDOWN_GRACE_SECONDS", String.valueOf(defaults.shutdownGraceSeconds())));
    int preStop = preStopSleepSeconds(container);
    assertThat((Integer) podSpec.get("terminationGracePeriodSeconds"))
        .as("terminationGracePeriodSeconds > preStop sleep + JETON_SHUTDOWN_GRACE_SECONDS")
        .isGreaterThan(grace + preStop);

    List<String> envFrom =
        ((List<?>) container.get("envFrom"))
            .stream()
                .map(DeployTest::map)
                .map(
                    e ->
                        e.containsKey("configMapRef")
                            ? "cm:" + map(e.get("configMapRef")).get("name")
                            : "secret:" + map(e.get("secretRef")).get("name"))
                .toList();
    assertThat(envFrom)
        .containsExactlyInAnyOrder("cm:" + name(k8s("ConfigMap")), "secret:" + name(k8s("Secret")));
  }

  @Test
  void kubernetesObjectsReferToEachOther() {
    Config defaults = Config.from(Map.of());
    Map<String, Object> deployment = k8s("Deployment");
    Map<String, Object> template = map(map(deployment.get("spec")).get("template"));
    Map<String, String> podLabels = strings(map(template.get("metadata")).get("labels"));
    Map<String, Object> container =
        map(((List<?>) map(template.get("spec")).get("containers")).get(0));
    Map<String, Integer> ports = containerPorts(container);
    assertThat(podLabels)
        .containsAllEntriesOf(
            strings(map(map(deployment.get("spec")).get("selector")).get("matchLabels")));

    List<Map<String, Object>> services = k8sAll("Service");
    Set<String> exposedPortNames = new TreeSet<>();
    for (Map<String, Object> svc : services) {
      Map<String, Object> spec = map(svc.get("spec"));
      assertThat(podLabels)
          .as("selector of Service %s", name(svc))
          .containsAllEntriesOf(strings(spec.get("selector")));
      for (Object p : (List<?>) spec.get("ports")) {
        Object target = map(p).get("targetPort");
        String portName = target instanceof String s ? s : null;
        assertThat(
                portName == null
                    ? ports.containsValue((Integer) target)
                    : ports.containsKey(portName))
            .as("targetPort %s of Service %s is a container port", target, name(svc))
            .isTrue();
        if (portName != null) {
          assertThat(map(p).get("port"))
              .as("Service port %s", portName)
              .isEqualTo(ports.get(portName));
        }
        exposedPortNames.add(name(svc) + ":" + (portName == null ? target : portName));
      }
    }
    // The public Service carries the public port only; the management port has its own ClusterIP
    // Service.
    Map<String, Object> publicSvc =
        services.stream().filter(s -> name(s).equals("jeton")).findFirst().orElseThrow();
    assertThat(exposedPortNames)
        .contains("jeton:http")
        .doesNotContain("jeton:admin", "jeton:" + defaults.adminPort());
    assertThat(services)
        .anySatisfy(
            s -> {
              assertThat(exposedPortNames).contains(name(s) + ":admin");
              assertThat(map(s.get("spec")).getOrDefault("type", "ClusterIP"))
                  .isEqualTo("ClusterIP");
            });
    assertThat((List<?>) map(publicSvc.get("spec")).get("ports"))
        .as("ports of the public Service")
        .hasSize(1);

    Map<String, Object> pdb = map(k8s("PodDisruptionBudget").get("spec"));
    assertThat(pdb.get("minAvailable")).isEqualTo(1);
    assertThat(podLabels)
        .containsAllEntriesOf(strings(map(pdb.get("selector")).get("matchLabels")));

    Map<String, Object> hpa = k8s("HorizontalPodAutoscaler");
    assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
    Map<String, Object> hpaSpec = map(hpa.get("spec"));
    assertThat(map(hpaSpec.get("scaleTargetRef")))
        .containsEntry("kind", "Deployment")
        .containsEntry("name", name(deployment));
    Map<String, Object> cpu =
        map(map(map(((List<?>) hpaSpec.get("metrics")).get(0)).get("resource")).get("target"));
    assertThat(cpu).containsEntry("type", "Utilization").containsEntry("averageUtilization", 70);
    assertThat((Integer) hpaSpec.get("minReplicas")).isGreaterThanOrEqualTo(2);

    Map<String, Object> np = map(k8s("NetworkPolicy").get("spec"));
    assertThat(podLabels)
        .containsAllEntriesOf(strings(map(np.get("podSelector")).get("matchLabels")));
    List<Map<String, Object>> ingress =
        ((List<?>) np.get("ingress")).stream().map(DeployTest::map).toList();
    Map<String, Object> publicRule =
        ingress.stream()
            .filter(r -> portsOf(r).contains("http"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ingress rule for the http port"));
    assertThat(publicRule).as("the public port is open to all").doesNotContainKey("from");
    Map<String, Object> adminRule =
        ingress.stream()
            .filter(r -> portsOf(r).contains("admin"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ingress rule for the admin port"));
    assertThat((List<?>) adminRule.get("from"))
        .as("the management port is open to named peers only")
        .isNotEmpty();
    for (Map<String, Object> rule : ingress) {
      for (String p : portsOf(rule)) {
        assertThat(ports).as("NetworkPolicy port %s is a container port", p).containsKey(p);
      }
    }
    Set<String> egressPorts =
        ((List<?>) np.get("egress"))
            .stream()
                .map(DeployTest::map)
                .flatMap(r -> portsOf(r).stream())
                .collect(Collectors.toSet());
    assertThat(egressPorts).contains("6379", "53");
  }

  @Test
  void composeServicesMatchTheCode() {
    Config defaults = Config.from(Map.of());
    Map<String, Object> compose = map(yamlDocs(COMPOSE).get(0));
    Map<String, Object> services = map(compose.get("services"));
    assertThat(services).containsKeys("jeton-1", "jeton-2", "redis", "prometheus", "grafana");
    Set<Integer> expectedPorts = Set.of(defaults.httpPort(), defaults.adminPort());
    for (String node : List.of("jeton-1", "jeton-2")) {
      Map<String, Object> svc = map(services.get(node));
      assertThat(map(svc.get("build")))
          .as("%s is built from deploy/Dockerfile", node)
          .containsEntry("dockerfile", "deploy/Dockerfile")
          .containsEntry("context", "..");
      assertThat(svc).containsEntry("read_only", true);
      assertThat(((List<?>) svc.get("tmpfs")).stream().map(String::valueOf))
          .anyMatch(t -> t.startsWith("/tmp"));
      Set<Integer> containerPorts =
          ((List<?>) svc.get("ports"))
              .stream()
                  .map(String::valueOf)
                  .map(
                      p ->
                          Integer.parseInt(p.substring(p.lastIndexOf(':') + 1).replace("/tcp", "")))
                  .collect(Collectors.toSet());
      assertThat(containerPorts).as("container ports of %s", node).isEqualTo(expectedPorts);
      Map<String, String> env = strings(svc.get("environment"));
      assertThat(env).containsEntry("JETON_ADMIN_HOST", "0.0.0.0");
      if (env.containsKey("JETON_HTTP_PORT")) {
        assertThat(env.get("JETON_HTTP_PORT")).isEqualTo(String.valueOf(defaults.httpPort()));
      }
      if (env.containsKey("JETON_ADMIN_PORT")) {
        assertThat(env.get("JETON_ADMIN_PORT")).isEqualTo(String.valueOf(defaults.adminPort()));
      }
      assertThat(env.get("JETON_REDIS_URL")).isEqualTo("redis://redis:6379");
      assertThat(map(map(svc.get("depends_on")).get("redis")))
          .containsEntry("condition", "service_healthy");
      int grace =
          Integer.parseInt(
              env.getOrDefault(
                  "JETON_SHUTDOWN_GRACE_SECONDS", String.valueOf(defaults.shutdownGraceSeconds())));
      assertThat(seconds(String.valueOf(svc.get("stop_grace_period"))))
          .as("stop_grace_period of %s", node)
          .isGreaterThan(grace);
    }
    Map<String, Object> redis = map(services.get("redis"));
    assertThat(String.valueOf(redis.get("image"))).startsWith("redis:7");
    assertThat(
            String.join(
                " ", ((List<?>) redis.get("command")).stream().map(String::valueOf).toList()))
        .contains("--appendonly yes");
    assertThat(redis).containsKey("healthcheck");
    assertThat((List<?>) redis.get("volumes"))
        .anySatisfy(v -> assertThat(String.valueOf(v)).endsWith(":/data"));

    // Prometheus scrapes every Jeton service on the management port, with the config and rules of
    // deploy/monitoring.
    Map<String, Object> promConfig = map(yamlDocs(PROMETHEUS_CONFIG).get(0));
    Map<String, Object> jetonJob =
        ((List<?>) promConfig.get("scrape_configs"))
            .stream()
                .map(DeployTest::map)
                .filter(c -> "jeton".equals(c.get("job_name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no scrape job named jeton"));
    assertThat(jetonJob.getOrDefault("metrics_path", "/metrics")).isEqualTo("/metrics");
    List<String> targets =
        ((List<?>) jetonJob.get("static_configs"))
            .stream()
                .map(DeployTest::map)
                .flatMap(sc -> ((List<?>) sc.get("targets")).stream().map(String::valueOf))
                .toList();
    assertThat(targets)
        .containsExactlyInAnyOrder(
            "jeton-1:" + defaults.adminPort(), "jeton-2:" + defaults.adminPort());
    assertThat(stringList(promConfig.get("rule_files"))).containsExactly("alerts.yml");
    List<String> promVolumes =
        ((List<?>) map(services.get("prometheus")).get("volumes"))
            .stream().map(String::valueOf).toList();
    assertThat(promVolumes)
        .contains(
            "./monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            "./monitoring/alerts.yml:/etc/prometheus/alerts.yml:ro");

    // Grafana: provisioning mounted, the dashboard where the provider looks, the datasource at the
    // Prometheus service.
    List<String> grafanaVolumes =
        ((List<?>) map(services.get("grafana")).get("volumes"))
            .stream().map(String::valueOf).toList();
    assertThat(grafanaVolumes).contains("./grafana/provisioning:/etc/grafana/provisioning:ro");
    String dashboardMount =
        grafanaVolumes.stream()
            .filter(v -> v.startsWith("./grafana/jeton-dashboard.json:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("dashboard not mounted"));
    String provider =
        (String)
            map(map(((List<?>)
                            map(yamlDocs(
                                        DEPLOY.resolve(
                                            "grafana/provisioning/dashboards/jeton.yaml"))
                                    .get(0))
                                .get("providers"))
                        .get(0))
                    .get("options"))
                .get("path");
    assertThat(dashboardMount).startsWith("./grafana/jeton-dashboard.json:" + provider + "/");
    Map<String, Object> datasource =
        map(
            ((List<?>)
                    map(yamlDocs(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"))
                            .get(0))
                        .get("datasources"))
                .get(0));
    assertThat(datasource)
        .containsEntry("type", "prometheus")
        .containsEntry("url", "http://prometheus:9090");
    for (Path p : List.of(COMPOSE, PROMETHEUS_CONFIG)) {
      assertThat(p).exists();
    }
  }

  @Test
  void dockerfileIsMultiStageNonRootAndExecForm() {
    Config defaults = Config.from(Map.of());
    String dockerfile = read(DEPLOY.resolve("Dockerfile"));
    List<String> lines =
        dockerfile
            .lines()
            .map(String::strip)
            .filter(l -> !l.startsWith("#") && !l.isEmpty())
            .toList();
    assertThat(lines)
        .filteredOn(l -> l.startsWith("FROM "))
        .extracting(l -> l.split("\\s+")[1])
        .containsExactly("maven:3.9-eclipse-temurin-17", "eclipse-temurin:17-jre");
    assertThat(lines)
        .filteredOn(l -> l.startsWith("COPY ") && !l.contains("--from="))
        .containsExactly("COPY pom.xml ./", "COPY src ./src");
    assertThat(lines)
        .filteredOn(l -> l.startsWith("COPY --from=build"))
        .containsExactly("COPY --from=build /build/target/jeton.jar /opt/jeton/jeton.jar");
    assertThat(dockerfile).contains("mvn -B -q package -DskipTests");
    assertThat(lines)
        .contains(
            "EXPOSE " + defaults.httpPort() + " " + defaults.adminPort(), "STOPSIGNAL SIGTERM");
    String user =
        lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user).matches("USER [1-9][0-9]*(:[0-9]+)?");
    String entrypoint =
        lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
    JsonArray argv = new JsonArray(entrypoint.substring("ENTRYPOINT ".length()));
    assertThat(argv.getList())
        .as("exec-form ENTRYPOINT")
        .startsWith("java")
        .contains(
            "-XX:MaxRAMPercentage=75",
            "-XX:+ExitOnOutOfMemoryError",
            "-jar",
            "/opt/jeton/jeton.jar");
  }

  @Test
  void environmentVariablesAreOnesJetonKnows() {
    // Config reads every variable, the two logback uses included (it checks them before logback
    // guesses).
    Set<String> known = Config.variables();
    assertThat(known)
        .contains(
            "JETON_HTTP_PORT",
            "JETON_ADMIN_PORT",
            "JETON_REDIS_URL",
            "JETON_MASTER_KEY",
            "JETON_ADMIN_TOKEN",
            "JETON_LOG_FORMAT",
            "JETON_LOG_LEVEL",
            "JETON_SHUTDOWN_GRACE_SECONDS");
    SoftAssertions soft = new SoftAssertions();
    List<Path> files =
        new ArrayList<>(
            List.of(
                COMPOSE,
                DEPLOY.resolve(".env.example"),
                DEPLOY.resolve("Dockerfile"),
                DEPLOY.resolve("README.md"),
                ROOT.resolve("docs/redis-topologies.md"),
                ROOT.resolve("src/main/resources/logback.xml")));
    try (Stream<Path> s = Files.list(K8S)) {
      s.sorted().forEach(files::add);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (Path f : files) {
      Matcher m = JETON_VAR.matcher(read(f));
      while (m.find()) {
        soft.assertThat(known).as("%s names %s", ROOT.relativize(f), m.group()).contains(m.group());
      }
    }
    for (String kind : List.of("ConfigMap", "Secret")) {
      Map<String, Object> obj = k8s(kind);
      Map<String, String> data = strings(obj.getOrDefault("data", obj.get("stringData")));
      soft.assertThat(data.keySet())
          .as("keys of the %s", kind)
          .isNotEmpty()
          .allMatch(known::contains);
    }
    soft.assertAll();
  }

  @Test
  void shippedSettingsAreValidAndThePlaceholdersAreRefused() {
    // The ConfigMap with real secrets is a configuration Jeton accepts; with the example's
    // placeholders it is not.
    Map<String, String> configMap = strings(k8s("ConfigMap").get("data"));
    Map<String, String> secret = strings(k8s("Secret").get("stringData"));
    Map<String, String> env = new HashMap<>(configMap);
    env.put("JETON_MASTER_KEY", VALID_MASTER_KEY);
    env.put("JETON_ADMIN_TOKEN", VALID_ADMIN_TOKEN);
    Config config = Config.from(env);
    assertThat(config.adminHost()).isEqualTo("0.0.0.0");
    assertThat(config.embeddedStore()).isFalse();
    for (String key : secret.keySet()) {
      Map<String, String> withPlaceholder = new HashMap<>(env);
      withPlaceholder.put(key, secret.get(key));
      assertThatThrownBy(() -> Config.from(withPlaceholder))
          .as("the placeholder of %s is refused", key)
          .isInstanceOf(ConfigException.class);
    }

    // The same for the compose nodes with deploy/.env.example.
    Map<String, String> dotEnv = new LinkedHashMap<>();
    for (String line : read(DEPLOY.resolve(".env.example")).lines().toList()) {
      line = line.strip();
      if (!line.isEmpty() && !line.startsWith("#") && line.contains("=")) {
        dotEnv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    Map<String, String> composeEnv =
        strings(
            map(map(map(yamlDocs(COMPOSE).get(0)).get("services")).get("jeton-1"))
                .get("environment"));
    Pattern interpolation = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?[-?][^}]*)?}");
    for (String var :
        composeEnv.values().stream()
            .flatMap(v -> interpolation.matcher(v).results().map(r -> r.group(1)))
            .toList()) {
      assertThat(dotEnv)
          .as(".env.example sets %s, which compose.yaml interpolates", var)
          .containsKey(var);
    }
    Map<String, String> nodeEnv = new HashMap<>();
    composeEnv.forEach(
        (k, v) ->
            nodeEnv.put(
                k,
                interpolation
                    .matcher(v)
                    .replaceAll(
                        r -> Matcher.quoteReplacement(dotEnv.getOrDefault(r.group(1), "")))));
    assertThatThrownBy(() -> Config.from(nodeEnv))
        .as("compose with .env.example's placeholders is refused")
        .isInstanceOf(ConfigException.class);
    nodeEnv.put("JETON_MASTER_KEY", VALID_MASTER_KEY);
    nodeEnv.put("JETON_ADMIN_TOKEN", VALID_ADMIN_TOKEN);
    assertThat(Config.from(nodeEnv).adminHost()).isEqualTo("0.0.0.0");
  }

  // ---- 5. the compose profile "sentinel"
  // --------------------------------------------------------------------------------

  private static final String SENTINEL_PROFILE = "sentinel";
  private static final String JETON_ON_SENTINEL = "jeton-sentinel";
  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Z0-9_]+)((?::?[-?])[^}]*)?}");

  @Test
  void composeSentinelProfileIsAMasterTwoReplicasThreeSentinelsAndAJetonOnThem() {
    Config defaults = Config.from(Map.of());
    Map<String, Object> services = map(map(yamlDocs(COMPOSE).get(0)).get("services"));
    // The default profile is what it was: no profile on its services.
    for (String s : List.of("jeton-1", "jeton-2", "redis", "prometheus", "grafana")) {
      assertThat(map(services.get(s)))
          .as("%s is in the default profile", s)
          .doesNotContainKey("profiles");
    }
    Map<String, Map<String, String>> dataNodes = sentinelProfileServices("redis-node.sh");
    Map<String, Map<String, String>> sentinels = sentinelProfileServices("sentinel.sh");
    assertThat(dataNodes).as("data nodes of the profile").hasSize(3);
    assertThat(sentinels).as("sentinels of the profile").hasSize(3);
    List<String> masters =
        dataNodes.entrySet().stream()
            .filter(e -> !e.getValue().containsKey("REPLICA_OF"))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(masters).as("one data node starts as the master").hasSize(1);
    String master = masters.get(0);
    for (var e : dataNodes.entrySet()) {
      Map<String, Object> svc = map(services.get(e.getKey()));
      assertThat(String.valueOf(svc.get("image"))).startsWith("redis:7");
      assertThat(e.getValue())
          .as("%s's password", e.getKey())
          .containsEntry("REDIS_PASSWORD", "${JETON_REDIS_PASSWORD:-}");
      if (!e.getKey().equals(master)) {
        assertThat(e.getValue()).containsEntry("REPLICA_OF", master + " 6379");
      }
      assertThat(stringList(svc.get("volumes"))).anyMatch(v -> v.endsWith(":/data"));
      assertThat(map(svc.get("healthcheck")).get("test").toString()).contains("REDISCLI_AUTH");
      assertThat(svc).containsEntry("hostname", e.getKey()).doesNotContainKey("ports");
    }
    int quorum = sentinels.size() / 2 + 1;
    Set<String> sentinelNames = new TreeSet<>();
    for (var e : sentinels.entrySet()) {
      Map<String, Object> svc = map(services.get(e.getKey()));
      assertThat(String.valueOf(svc.get("image"))).startsWith("redis:7");
      assertThat(e.getValue())
          .containsEntry("REDIS_PASSWORD", "${JETON_REDIS_PASSWORD:-}")
          .containsEntry("MASTER_HOST", master)
          .containsEntry("MASTER_PORT", "6379")
          .containsEntry("QUORUM", String.valueOf(quorum))
          .containsKey("DOWN_AFTER_MS");
      assertThat(stringList(svc.get("volumes"))).anyMatch(v -> v.endsWith(":/data"));
      assertThat(map(svc.get("healthcheck")).get("test").toString()).contains("ckquorum");
      assertThat(svc).containsEntry("hostname", e.getKey()).doesNotContainKey("ports");
      sentinelNames.add(e.getValue().get("MASTER_NAME"));
    }
    assertThat(sentinelNames).as("every sentinel watches the same master set").hasSize(1);

    Map<String, Object> jeton = map(services.get(JETON_ON_SENTINEL));
    assertThat(stringList(jeton.get("profiles"))).containsExactly(SENTINEL_PROFILE);
    assertThat(map(jeton.get("build")))
        .containsEntry("dockerfile", "deploy/Dockerfile")
        .containsEntry("context", "..");
    assertThat(jeton).containsEntry("read_only", true);
    Map<String, String> env = strings(jeton.get("environment"));
    assertThat(Config.variables())
        .as("variables of %s", JETON_ON_SENTINEL)
        .containsAll(env.keySet());
    assertThat(env)
        .doesNotContainKey("JETON_REDIS_URL")
        .doesNotContainKey("JETON_REDIS_CLUSTER_NODES")
        .containsEntry("JETON_REDIS_MASTER_NAME", sentinelNames.iterator().next())
        .containsEntry("JETON_REDIS_PASSWORD", "${JETON_REDIS_PASSWORD:-}")
        .containsEntry("JETON_ADMIN_HOST", "0.0.0.0");
    assertThat(List.of(env.get("JETON_REDIS_SENTINELS").split(",")))
        .as("JETON_REDIS_SENTINELS names every sentinel on the sentinels' port")
        .containsExactlyInAnyOrderElementsOf(
            sentinels.keySet().stream().map(n -> n + ":26379").toList());
    Map<String, Object> dependsOn = map(jeton.get("depends_on"));
    for (String n : sentinels.keySet()) {
      assertThat(map(dependsOn.get(n))).containsEntry("condition", "service_healthy");
    }
    Set<Integer> containerPorts =
        stringList(jeton.get("ports")).stream()
            .map(p -> Integer.parseInt(p.substring(p.lastIndexOf(':') + 1)))
            .collect(Collectors.toSet());
    assertThat(containerPorts).isEqualTo(Set.of(defaults.httpPort(), defaults.adminPort()));
    // Host ports are not taken twice when both profiles run.
    List<String> hostPorts = new ArrayList<>();
    for (Object svc : services.values()) {
      Object ports = map(svc).get("ports");
      if (ports != null) {
        for (String p : stringList(ports)) {
          hostPorts.add(p.substring(0, p.lastIndexOf(':')));
        }
      }
    }
    assertThat(hostPorts).doesNotHaveDuplicates();

    // With .env.example's values and real secrets, the node's settings are a valid Sentinel setup.
    Map<String, String> nodeEnv = interpolated(env);
    nodeEnv.put("JETON_MASTER_KEY", VALID_MASTER_KEY);
    nodeEnv.put("JETON_ADMIN_TOKEN", VALID_ADMIN_TOKEN);
    nodeEnv.put("JETON_REDIS_PASSWORD", "a-password");
    Config config = Config.from(nodeEnv);
    assertThat(config.redis().topology())
        .isEqualTo(dev.jeton.config.RedisSettings.Topology.SENTINEL);
    assertThat(config.redis().endpoints()).hasSize(sentinels.size());
    assertThat(config.redis().replicaAcks()).isEqualTo(1);
    assertThat(config.redis().password()).isEqualTo("a-password");
  }

  @Test
  void composeRequiresNoVariableForTheDefaultProfileThatOnlyAnotherProfileUses() {
    // Compose interpolates the whole file whatever the profiles: a `${VAR:?}` in a profile's
    // service would stop `docker compose up` of the default profile without VAR.
    Map<String, Object> services = map(map(yamlDocs(COMPOSE).get(0)).get("services"));
    Set<String> requiredByDefault = new TreeSet<>();
    Map<String, Set<String>> requiredByProfiles = new TreeMap<>();
    for (var e : services.entrySet()) {
      Set<String> required = new TreeSet<>();
      Set<String> interpolated = new TreeSet<>();
      for (String value : scalars(e.getValue())) {
        Matcher m = INTERPOLATION.matcher(value);
        while (m.find()) {
          interpolated.add(m.group(1));
          if (m.group(2) != null && m.group(2).matches(":?\\?.*")) {
            required.add(m.group(1));
          }
        }
      }
      assertThat(dotEnvExample().keySet())
          .as(".env.example sets what %s interpolates", e.getKey())
          .containsAll(interpolated);
      if (map(e.getValue()).containsKey("profiles")) {
        requiredByProfiles.put(e.getKey(), required);
      } else {
        requiredByDefault.addAll(required);
      }
    }
    assertThat(requiredByDefault).contains("JETON_MASTER_KEY", "JETON_ADMIN_TOKEN");
    assertThat(requiredByProfiles).containsKey(JETON_ON_SENTINEL);
    requiredByProfiles.forEach(
        (svc, required) ->
            assertThat(requiredByDefault)
                .as("variables %s requires (`:?`) are required by the default profile too", svc)
                .containsAll(required));
  }

  @Test
  void sentinelProfileScriptsRunASentinelSetupThatJetonUsesAndThatFailsOver() throws Exception {
    Map<String, Map<String, String>> dataNodes = sentinelProfileServices("redis-node.sh");
    Map<String, Map<String, String>> sentinels = sentinelProfileServices("sentinel.sh");
    Map<String, String> jetonEnv =
        strings(
            map(map(map(yamlDocs(COMPOSE).get(0)).get("services")).get(JETON_ON_SENTINEL))
                .get("environment"));
    String masterName = jetonEnv.get("JETON_REDIS_MASTER_NAME");
    try (SentinelProfileOnLoopback s =
        SentinelProfileOnLoopback.start(DEPLOY.resolve("sentinel"), dataNodes, sentinels, 1000)) {
      // The scripts refuse an empty or unquotable password (exit 2) rather than run without one.
      Map<String, String> noPassword = new HashMap<>(dataNodes.values().iterator().next());
      noPassword.put("REDIS_PASSWORD", "");
      assertThat(s.runScript("redis-node.sh", noPassword)).isEqualTo(2);
      noPassword.put("REDIS_PASSWORD", "has\"quote");
      assertThat(s.runScript("redis-node.sh", noPassword)).isEqualTo(2);
      noPassword.put("REDIS_PASSWORD", "");
      assertThat(s.runScript("sentinel.sh", noPassword)).isEqualTo(2);

      // Jeton with jeton-sentinel's Redis settings, the service names replaced by loopback ports.
      Map<String, String> redisEnv = new HashMap<>();
      jetonEnv.forEach(
          (k, v) -> {
            if (k.startsWith("JETON_REDIS_")) {
              redisEnv.put(k, v);
            }
          });
      redisEnv.put(
          "JETON_REDIS_SENTINELS",
          sentinels.keySet().stream()
              .map(n -> "127.0.0.1:" + s.port(n))
              .collect(Collectors.joining(",")));
      redisEnv.put("JETON_REDIS_PASSWORD", s.password());
      String firstMaster =
          dataNodes.entrySet().stream()
              .filter(e -> !e.getValue().containsKey("REPLICA_OF"))
              .findFirst()
              .orElseThrow()
              .getKey();
      String sentinel = sentinels.keySet().iterator().next();
      try (TestJeton node = TestJeton.startOn(redisEnv, Map.of())) {
        byte[] seed = node.userWithToken("sentinel-alice", "SENTINEL01");
        // Ends with an ACCEPT, which needs one replica to confirm the consumed code.
        node.firstLogin("sentinel-alice", seed, "2580");

        s.kill(firstMaster);
        eventually(
            "the sentinels promote a replica",
            Duration.ofSeconds(30),
            () -> s.masterPort(sentinel, masterName) != s.port(firstMaster));
        // A fresh code each attempt: one answered 503 stays consumed.
        eventually(
            "Jeton ACCEPTs again on the new master",
            Duration.ofSeconds(30),
            () -> {
              node.clock.advanceSeconds(30);
              Resp r = node.api.login("sentinel-alice", "2580" + node.code(seed));
              return "ACCEPT".equals(r.str("decision"));
            });

        // The old master, started again by its script, rejoins as a replica of the new one: the
        // role Sentinel wrote into its redis.conf is kept.
        s.launch(firstMaster);
        // A sentinel converts it once it has answered for 8 s (4 publish periods); 60 s leaves room
        // for one TILT (30 s without acting), which a sentinel enters when a busy machine makes
        // its timer run 2 s late. A failure shows the sentinels' logs.
        int newMaster = s.awaitReplicaOfCurrentMaster(firstMaster, sentinel, masterName, 60_000);
        assertThat(read(s.configFile(firstMaster)))
            .contains("replicaof 127.0.0.1 " + newMaster)
            .contains("appendonly yes")
            .contains("maxmemory-policy noeviction");
      }
    }
  }

  @Test
  void kubernetesCommentsShowTopologiesJetonAccepts() {
    // The ConfigMap's commented alternatives to JETON_REDIS_URL, each put in its place, are valid.
    String text = read(K8S.resolve("configmap.yaml"));
    Map<String, String> examples = new TreeMap<>();
    Matcher m =
        Pattern.compile("(?m)^\\s*#\\s+(JETON_REDIS_[A-Z_]+): \"([^\"]*)\"\\s*$").matcher(text);
    while (m.find()) {
      examples.put(m.group(1), m.group(2));
    }
    assertThat(examples)
        .containsKeys(
            "JETON_REDIS_SENTINELS",
            "JETON_REDIS_MASTER_NAME",
            "JETON_REDIS_CLUSTER_NODES",
            "JETON_REDIS_REPLICA_ACKS",
            "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS");
    Map<String, String> base = new HashMap<>(strings(k8s("ConfigMap").get("data")));
    base.remove("JETON_REDIS_URL");
    base.put("JETON_MASTER_KEY", VALID_MASTER_KEY);
    base.put("JETON_ADMIN_TOKEN", VALID_ADMIN_TOKEN);
    base.put("JETON_REDIS_PASSWORD", "a-password");
    base.put("JETON_REDIS_REPLICA_ACKS", examples.get("JETON_REDIS_REPLICA_ACKS"));
    base.put(
        "JETON_REDIS_REPLICA_ACK_TIMEOUT_MS", examples.get("JETON_REDIS_REPLICA_ACK_TIMEOUT_MS"));
    Map<String, String> sentinel = new HashMap<>(base);
    sentinel.put("JETON_REDIS_SENTINELS", examples.get("JETON_REDIS_SENTINELS"));
    sentinel.put("JETON_REDIS_MASTER_NAME", examples.get("JETON_REDIS_MASTER_NAME"));
    assertThat(Config.from(sentinel).redis().topology())
        .isEqualTo(dev.jeton.config.RedisSettings.Topology.SENTINEL);
    Map<String, String> cluster = new HashMap<>(base);
    cluster.put("JETON_REDIS_CLUSTER_NODES", examples.get("JETON_REDIS_CLUSTER_NODES"));
    assertThat(Config.from(cluster).redis().topology())
        .isEqualTo(dev.jeton.config.RedisSettings.Topology.CLUSTER);

    // The sentinels' port is open for egress, as is Redis's.
    Set<String> egressPorts =
        ((List<?>) map(k8s("NetworkPolicy").get("spec")).get("egress"))
            .stream()
                .map(DeployTest::map)
                .flatMap(r -> portsOf(r).stream())
                .collect(Collectors.toSet());
    assertThat(egressPorts).contains("6379", "26379");
  }

  /** The environment of each service of the profile "sentinel" whose command runs the script. */
  private static Map<String, Map<String, String>> sentinelProfileServices(String script) {
    Map<String, Object> services = map(map(yamlDocs(COMPOSE).get(0)).get("services"));
    Map<String, Map<String, String>> found = new TreeMap<>();
    for (var e : services.entrySet()) {
      Map<String, Object> svc = map(e.getValue());
      if (!svc.containsKey("profiles")) {
        continue;
      }
      assertThat(stringList(svc.get("profiles")))
          .as("profiles of %s", e.getKey())
          .containsExactly(SENTINEL_PROFILE);
      Object command = svc.get("command");
      if (command != null && stringList(command).contains("/jeton/" + script)) {
        assertThat(stringList(command))
            .as("command of %s: the script, then the image's entrypoint", e.getKey())
            .containsExactly("sh", "/jeton/" + script, "docker-entrypoint.sh", "redis-server");
        assertThat(stringList(svc.get("volumes")))
            .as("%s mounts deploy/sentinel at /jeton", e.getKey())
            .contains("./sentinel:/jeton:ro");
        assertThat(DEPLOY.resolve("sentinel").resolve(script)).isRegularFile();
        found.put(e.getKey(), strings(svc.get("environment")));
      }
    }
    return found;
  }

  /** Every scalar in a YAML tree, as text. */
  private static List<String> scalars(Object node) {
    List<String> out = new ArrayList<>();
    if (node instanceof Map<?, ?> m) {
      m.values().forEach(v -> out.addAll(scalars(v)));
    } else if (node instanceof List<?> l) {
      l.forEach(v -> out.addAll(scalars(v)));
    } else if (node != null) {
      out.add(String.valueOf(node));
    }
    return out;
  }

  /** deploy/.env.example's settings. */
  private static Map<String, String> dotEnvExample() {
    Map<String, String> dotEnv = new LinkedHashMap<>();
    for (String line : read(DEPLOY.resolve(".env.example")).lines().toList()) {
      line = line.strip();
      if (!line.isEmpty() && !line.startsWith("#") && line.contains("=")) {
        dotEnv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return dotEnv;
  }

  /** A service's environment as compose makes it with deploy/.env.example. */
  private static Map<String, String> interpolated(Map<String, String> env) {
    Map<String, String> dotEnv = dotEnvExample();
    Map<String, String> out = new HashMap<>();
    env.forEach(
        (k, v) ->
            out.put(
                k,
                INTERPOLATION
                    .matcher(v)
                    .replaceAll(
                        r -> Matcher.quoteReplacement(dotEnv.getOrDefault(r.group(1), "")))));
    return out;
  }

  // ---- helpers: PromQL
  // -----------------------------------------------------------------------------------------

  /** The metric names a PromQL expression reads. */
  static Set<String> metricNames(String expr) {
    String s = STRING.matcher(expr).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String id = m.group(1);
      String rest = s.substring(m.end()).stripLeading();
      if (rest.startsWith("(") || PROMQL_KEYWORDS.contains(id.toLowerCase())) {
        continue; // a function call or a keyword
      }
      names.add(id);
    }
    return names;
  }

  private void assertAllScraped(Set<String> names, String where) {
    SoftAssertions soft = new SoftAssertions();
    for (String name : names) {
      if (PROMETHEUS_OWN.contains(name)) {
        continue;
      }
      soft.assertThat(scraped)
          .as("%s reads %s, which a live scrape of Jeton does not have", where, name)
          .containsKey(name);
    }
    soft.assertAll();
  }

  private static Map<String, Set<String>> parseScrape(String text) {
    Map<String, Set<String>> names = new TreeMap<>();
    Pattern labelName = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"");
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
      String name = line.substring(0, end);
      Set<String> labels = names.computeIfAbsent(name, k -> new TreeSet<>());
      if (end == brace) {
        String body = line.substring(brace + 1, line.lastIndexOf('}'));
        Matcher m =
            labelName.matcher(STRING.matcher(body).replaceAll("\"\"").replace("\"\"", "\"x\""));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return names;
  }

  private List<Map<String, Object>> alertRules() {
    List<Map<String, Object>> rules = new ArrayList<>();
    Map<String, Object> doc = map(yamlDocs(ALERTS).get(0));
    for (Object g : (List<?>) doc.get("groups")) {
      for (Object r : (List<?>) map(g).get("rules")) {
        rules.add(map(r));
      }
    }
    return rules;
  }

  private Map<String, String> alertExpressions() {
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Map<String, Object> rule : alertRules()) {
      exprs.put(String.valueOf(rule.get("alert")), String.valueOf(rule.get("expr")));
    }
    return exprs;
  }

  private Set<String> alertMetricNames() {
    return alertExpressions().values().stream()
        .flatMap(e -> metricNames(e).stream())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every {@code expr} in the dashboard, at any depth (panels, rows, targets). */
  private List<String> dashboardExpressions() {
    List<String> exprs = new ArrayList<>();
    collectExprs(new JsonObject(read(DASHBOARD)), exprs);
    return exprs;
  }

  private static void collectExprs(Object node, List<String> into) {
    if (node instanceof JsonObject o) {
      for (String key : o.fieldNames()) {
        Object v = o.getValue(key);
        if (key.equals("expr") && v instanceof String s) {
          into.add(s);
        } else {
          collectExprs(v, into);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectExprs(v, into));
    }
  }

  private Set<String> dashboardMetricNames() {
    Set<String> names =
        dashboardExpressions().stream()
            .flatMap(e -> metricNames(e).stream())
            .collect(Collectors.toCollection(TreeSet::new));
    // Template variables: label_values(metric, label)
    Matcher m =
        LABEL_VALUES.matcher(new JsonObject(read(DASHBOARD)).getJsonObject("templating").encode());
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> out = new ArrayList<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      out.add(panel);
      JsonArray nested = panel.getJsonArray("panels");
      if (nested != null) {
        nested.forEach(n -> out.add((JsonObject) n));
      }
    }
    return out;
  }

  // ---- helpers: manifests
  // --------------------------------------------------------------------------------------

  private static List<Object> yamlDocs(Path p) {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Object> docs = new ArrayList<>();
    for (Object d : yaml.loadAll(read(p))) {
      if (d != null) {
        docs.add(d);
      }
    }
    return docs;
  }

  private static List<Map<String, Object>> k8sAll(String kind) {
    List<Map<String, Object>> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(K8S)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object d : yamlDocs(p)) {
          if (kind.equals(map(d).get("kind"))) {
            found.add(map(d));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertThat(found).as("a %s in deploy/k8s", kind).isNotEmpty();
    return found;
  }

  private static Map<String, Object> k8s(String kind) {
    List<Map<String, Object>> all = k8sAll(kind);
    assertThat(all).as("exactly one %s in deploy/k8s", kind).hasSize(1);
    return all.get(0);
  }

  private static String name(Map<String, Object> obj) {
    return (String) map(obj.get("metadata")).get("name");
  }

  private static Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new TreeMap<>();
    for (Object p : (List<?>) container.get("ports")) {
      ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
    }
    return ports;
  }

  private static void assertProbe(Map<String, Object> container, String probe, String path) {
    Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
    assertThat(httpGet).as(probe).containsEntry("path", path).containsEntry("port", "admin");
  }

  private static int preStopSleepSeconds(Map<String, Object> container) {
    Object lifecycle = container.get("lifecycle");
    if (lifecycle == null) {
      return 0;
    }
    Map<String, Object> preStop = map(map(lifecycle).get("preStop"));
    if (preStop.containsKey("sleep")) {
      return (Integer) map(preStop.get("sleep")).get("seconds");
    }
    List<?> command = (List<?>) map(preStop.get("exec")).get("command");
    assertThat(command).as("preStop is a plain sleep").hasSize(2).first().isEqualTo("sleep");
    return Integer.parseInt(String.valueOf(command.get(1)));
  }

  private static Set<String> portsOf(Map<String, Object> rule) {
    Object ports = rule.get("ports");
    if (ports == null) {
      return Set.of();
    }
    return ((List<?>) ports)
        .stream().map(p -> String.valueOf(map(p).get("port"))).collect(Collectors.toSet());
  }

  private static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(duration);
    assertThat(m.matches()).as("a compose duration: %s", duration).isTrue();
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n / 1000;
      case "s" -> n;
      case "m" -> n * 60;
      default -> n * 3600;
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).as("a mapping").isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static List<String> stringList(Object o) {
    assertThat(o).as("a sequence").isInstanceOf(List.class);
    return ((List<?>) o).stream().map(String::valueOf).toList();
  }

  private static Map<String, String> strings(Object o) {
    Map<String, String> out = new TreeMap<>();
    map(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }

  // ---- helpers: promtool
  // ---------------------------------------------------------------------------------------

  private record Run(int code, String output) {}

  /**
   * promtool, from the Debian package {@code prometheus}; without it the test is skipped, or fails
   * where CI requires every program.
   */
  private static Path promtool() {
    Path found = installedPromtool();
    dev.jeton.testsupport.ExternalTools.require(
        found != null,
        "promtool not found (/usr/bin/promtool): install the Debian package `prometheus` "
            + "(apt-get install -y --no-install-recommends prometheus); CI installs it");
    return found;
  }

  /** /usr/bin/promtool, else the first promtool on PATH, else null. */
  private static Path installedPromtool() {
    Path debian = Path.of("/usr/bin/promtool");
    if (Files.isExecutable(debian)) {
      return debian;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static Run run(String stdin, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    Path input = null;
    if (stdin != null) {
      input = Files.createTempFile("deploytest-", ".prom");
      Files.writeString(input, stdin, StandardCharsets.UTF_8);
      pb.redirectInput(input.toFile());
    } else {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return fail("timed out: " + String.join(" ", command));
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } finally {
      if (input != null) {
        Files.deleteIfExists(input);
      }
    }
  }
}
