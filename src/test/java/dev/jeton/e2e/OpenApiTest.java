package dev.jeton.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.testsupport.Api.Resp;
import dev.jeton.testsupport.TestJeton;
import dev.jeton.web.Validation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps {@code openapi.yaml} honest: the document the management listener serves describes exactly
 * the routes the two listeners register, each on the listener it names, every documented operation
 * answers on the running server, and every documented response says what its body is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {

  /**
   * The document's server URLs, by the listener they stand for (as {@code Jeton.routes()} names
   * them).
   */
  private static final Map<String, String> LISTENERS =
      Map.of(
          "http://localhost:8080", "public",
          "http://localhost:8081", "admin");

  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

  /** Path parameters that name nothing in a fresh node: calls on them change nothing. */
  private static final Map<String, String> PLACEHOLDERS =
      Map.of(
          "username", "nobody",
          "serial", "NOSERIAL",
          "name", "nobody",
          "id", "no-such-job");

  private static final Pattern TEMPLATE = Pattern.compile("\\{([^}]+)}");

  private TestJeton j;

  /** One operation of the document on one of the listeners it is served by. */
  private record Operation(
      String listener,
      String method,
      String path,
      Map<String, Object> op,
      Map<String, Object> pathItem) {
    String key() {
      return listener + " " + method + " " + path;
    }
  }

  @BeforeAll
  void startNode() {
    j = TestJeton.start(null);
  }

  @AfterAll
  void stopNode() {
    if (j != null) {
      j.close();
    }
  }

  @Test
  void managementListenerServesTheDocumentAsOpenApi31() {
    Resp r = j.api.raw("GET", "admin", "/openapi.yaml", null, null, null);

    assertThat(r.status()).as("GET /openapi.yaml: %s", r.raw()).isEqualTo(200);
    Object parsed = yaml().load(r.raw());
    assertThat(parsed).isInstanceOf(Map.class);
    Map<String, Object> doc = map(parsed);
    assertThat(doc.get("openapi")).isEqualTo("3.1.0");
    assertThat(map(doc.get("info")))
        .containsEntry("title", "Jeton")
        .containsEntry("version", "0.1.0")
        .containsKey("description");
    List<Object> servers = list(doc.get("servers"));
    assertThat(servers)
        .extracting(s -> map(s).get("url"))
        .containsExactlyInAnyOrder("http://localhost:8080", "http://localhost:8081");
    assertThat(map(doc.get("paths"))).isNotEmpty();
  }

  @Test
  void everyRegisteredRouteIsDocumentedOnItsListenerAndNothingElseIs() {
    Set<String> served = new TreeSet<>();
    j.jeton
        .routes()
        .forEach((listener, routes) -> routes.forEach(route -> served.add(listener + " " + route)));
    Set<String> documented = new TreeSet<>();
    operations(document()).forEach(o -> documented.add(o.key()));

    assertThat(served).as("the listeners register routes").isNotEmpty();
    Set<String> undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    Set<String> unserved = new TreeSet<>(documented);
    unserved.removeAll(served);
    assertThat(undocumented).as("registered by the server but missing from openapi.yaml").isEmpty();
    assertThat(unserved)
        .as("in openapi.yaml but not registered on the listener it names")
        .isEmpty();
  }

  @Test
  void everyPathNamesItsListener() {
    Map<String, Object> paths = map(document().get("paths"));
    SoftAssertions soft = new SoftAssertions();
    paths.forEach(
        (path, item) -> {
          Object servers = map(item).get("servers");
          soft.assertThat(servers).as("%s has its own servers", path).isNotNull();
          if (servers != null) {
            for (Object s : list(servers)) {
              soft.assertThat(LISTENERS)
                  .as("%s: server url", path)
                  .containsKey(String.valueOf(map(s).get("url")));
            }
          }
        });
    soft.assertAll();
  }

  @Test
  void everyDocumentedOperationIsServed() {
    Map<String, Object> doc = document();
    SoftAssertions soft = new SoftAssertions();
    for (Operation o : operations(doc)) {
      String path = fill(o.path());
      String bearer = bearer(doc, o.op());
      String contentType = null;
      String body = null;
      Object requestBody = o.op().get("requestBody");
      if (requestBody != null) {
        // A malformed body of the first documented type: every route refuses it or reports it line
        // by line,
        // so the call changes nothing.
        contentType = map(resolve(doc, requestBody).get("content")).keySet().iterator().next();
        body = "{";
      }
      Resp r =
          j.api.raw(
              o.method().toUpperCase(Locale.ROOT), o.listener(), path, contentType, body, bearer);
      String what =
          o.key()
              + " as "
              + o.method().toUpperCase(Locale.ROOT)
              + " "
              + path
              + " answered "
              + r.status()
              + " "
              + r.raw();

      soft.assertThat(r.status()).as("%s: no such method", what).isNotEqualTo(405);
      soft.assertThat(noRoute(r)).as("%s: no such route", what).isFalse();
      // The call carries the credentials the operation asks for; an operation that asks for none
      // (the session
      // check) answers 401 for a missing session, as documented.
      if (bearer != null) {
        soft.assertThat(r.status() == 401 && r.json() != null && r.json().containsKey("error"))
            .as("%s: credentials refused", what)
            .isFalse();
      }
      soft.assertThat(responses(o.op()).keySet())
          .as("%s: the status is documented", what)
          .contains(String.valueOf(r.status()));
    }
    soft.assertAll();
  }

  @Test
  void everyDocumentedResponseHasASchemaOrIsBodiless() {
    Map<String, Object> doc = document();
    SoftAssertions soft = new SoftAssertions();
    for (Operation o : operations(doc)) {
      Map<String, Object> responses = responses(o.op());
      soft.assertThat(responses).as("%s: responses", o.key()).isNotEmpty();
      responses.forEach(
          (code, value) -> {
            String what = o.key() + " -> " + code;
            Map<String, Object> response = resolve(doc, value);
            soft.assertThat(response.get("description")).as("%s: description", what).isNotNull();
            Object content = response.get("content");
            if (code.equals("204") || code.startsWith("3")) {
              soft.assertThat(content).as("%s: a 204 or a redirect has no body", what).isNull();
              return;
            }
            soft.assertThat(content).as("%s: content", what).isNotNull();
            if (content == null) {
              return;
            }
            soft.assertThat(map(content)).as("%s: media types", what).isNotEmpty();
            map(content)
                .forEach(
                    (type, media) -> {
                      Object schema = map(media).get("schema");
                      soft.assertThat(schema).as("%s %s: schema", what, type).isNotNull();
                      if (schema != null) {
                        soft.assertThat(resolve(doc, schema))
                            .as("%s %s: schema", what, type)
                            .isNotEmpty();
                      }
                    });
          });
    }
    soft.assertAll();
  }

  @Test
  void everyOperationIsNamedAndAuthenticatedAsTheListenerRequires() {
    Map<String, Object> doc = document();
    Map<String, Object> schemes = map(map(doc.get("components")).get("securitySchemes"));
    assertThat(schemes).containsKeys("portalClient", "adminToken");
    for (String scheme : List.of("portalClient", "adminToken")) {
      assertThat(map(schemes.get(scheme)))
          .containsEntry("type", "http")
          .containsEntry("scheme", "bearer");
    }
    SoftAssertions soft = new SoftAssertions();
    Set<String> ids = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (Operation o : operations(doc)) {
      String ident = o.method() + " " + o.path();
      if (!seen.add(ident)) {
        continue; // the same operation listed for a second listener
      }
      Object id = o.op().get("operationId");
      soft.assertThat(id).as("%s: operationId", ident).isNotNull();
      soft.assertThat(ids.add(String.valueOf(id)))
          .as("%s: operationId %s is unique", ident, id)
          .isTrue();
      soft.assertThat(o.op().get("summary")).as("%s: summary", ident).isNotNull();
      Set<String> security = securitySchemes(doc, o.op());
      if (o.path().equals("/v1/authenticate")) {
        soft.assertThat(security).as("%s: security", ident).containsExactly("portalClient");
      } else if (o.path().startsWith("/v1/admin/")) {
        soft.assertThat(security).as("%s: security", ident).containsExactly("adminToken");
        soft.assertThat(String.valueOf(o.op().get("description")))
            .as("%s: names its role", ident)
            .containsPattern("Role: (admin|helpdesk or admin)\\b");
      } else {
        soft.assertThat(security).as("%s: no authentication", ident).isEmpty();
      }
    }
    soft.assertAll();
  }

  @Test
  void pathParametersAreDeclaredWithThePatternsTheCodeChecks() {
    Map<String, Object> doc = document();
    Map<String, String> patterns =
        Map.of(
            "username", "^" + Validation.USERNAME.pattern() + "$",
            "serial", "^" + Validation.SERIAL.pattern() + "$",
            "name", "^" + Validation.NAME.pattern() + "$");
    SoftAssertions soft = new SoftAssertions();
    for (Operation o : operations(doc)) {
      Map<String, Map<String, Object>> declared = new LinkedHashMap<>();
      for (Object source :
          new Object[] {o.pathItem().get("parameters"), o.op().get("parameters")}) {
        if (source != null) {
          for (Object p : list(source)) {
            Map<String, Object> param = resolve(doc, p);
            if ("path".equals(param.get("in"))) {
              declared.put(String.valueOf(param.get("name")), param);
            }
          }
        }
      }
      Set<String> inTemplate = new TreeSet<>();
      Matcher m = TEMPLATE.matcher(o.path());
      while (m.find()) {
        inTemplate.add(m.group(1));
      }
      soft.assertThat(declared.keySet())
          .as("%s: path parameters", o.key())
          .containsExactlyInAnyOrderElementsOf(inTemplate);
      declared.forEach(
          (name, param) -> {
            soft.assertThat(param.get("required"))
                .as("%s {%s}: required", o.key(), name)
                .isEqualTo(true);
            Map<String, Object> schema = resolve(doc, param.get("schema"));
            soft.assertThat(schema.get("pattern"))
                .as("%s {%s}: pattern", o.key(), name)
                .isEqualTo(patterns.get(name));
          });
    }
    soft.assertAll();
  }

  /**
   * The search's query parameters are documented with the bounds the server holds them to: the
   * documented edge is answered, one past it refused.
   */
  @Test
  void theUserSearchIsDocumentedWithTheBoundsItChecks() {
    Map<String, Object> get =
        map(map(map(document().get("paths")).get("/v1/admin/users")).get("get"));
    Map<String, Map<String, Object>> params = new LinkedHashMap<>();
    for (Object p : list(get.get("parameters"))) {
      params.put(String.valueOf(map(p).get("name")), map(p));
    }
    assertThat(params.keySet()).containsExactly("prefix", "limit");
    assertThat(params.get("prefix").get("required")).isEqualTo(true);
    Map<String, Object> prefix = map(params.get("prefix").get("schema"));
    Map<String, Object> limit = map(params.get("limit").get("schema"));
    int maxPrefix = (Integer) prefix.get("maxLength");
    int maxLimit = (Integer) limit.get("maximum");
    assertThat(prefix.get("minLength")).isEqualTo(1);
    assertThat(limit.get("minimum")).isEqualTo(1);

    assertThat(search("prefix=" + "a".repeat(maxPrefix)).status()).isEqualTo(200);
    assertThat(search("prefix=" + "a".repeat(maxPrefix + 1)).status()).isEqualTo(400);
    assertThat(search("prefix=").status()).isEqualTo(400);
    assertThat(search("prefix=a&limit=" + maxLimit).status()).isEqualTo(200);
    assertThat(search("prefix=a&limit=" + (maxLimit + 1)).status()).isEqualTo(400);
    assertThat(search("prefix=a&limit=0").status()).isEqualTo(400);
    assertThat(limit.get("default")).isEqualTo(20);
  }

  private Resp search(String query) {
    return j.api.raw("GET", "admin", "/v1/admin/users?" + query, null, null, TestJeton.ADMIN_TOKEN);
  }

  @Test
  void everyReferenceResolves() {
    Map<String, Object> doc = document();
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    SoftAssertions soft = new SoftAssertions();
    for (String ref : refs) {
      soft.assertThat(lookup(doc, ref)).as("$ref %s", ref).isNotNull();
    }
    soft.assertAll();
  }

  // ---- the document ----

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  /** The document as the management listener serves it. */
  private Map<String, Object> document() {
    Resp r = j.api.raw("GET", "admin", "/openapi.yaml", null, null, null);
    assertThat(r.status()).as("GET /openapi.yaml: %s", r.raw()).isEqualTo(200);
    return map(yaml().load(r.raw()));
  }

  /**
   * Every (listener, method, path) of the document, the listener taken from the path's servers
   * (else the top's).
   */
  private static List<Operation> operations(Map<String, Object> doc) {
    List<Operation> out = new ArrayList<>();
    map(doc.get("paths"))
        .forEach(
            (path, value) -> {
              Map<String, Object> item = map(value);
              Object servers =
                  item.get("servers") != null ? item.get("servers") : doc.get("servers");
              for (Object s : list(servers)) {
                String url = String.valueOf(map(s).get("url"));
                String listener = LISTENERS.get(url);
                assertThat(listener)
                    .as("%s: server %s is one of the two listeners", path, url)
                    .isNotNull();
                item.forEach(
                    (key, op) -> {
                      if (METHODS.contains(key)) {
                        out.add(
                            new Operation(
                                listener, key.toUpperCase(Locale.ROOT), path, map(op), item));
                      }
                    });
              }
            });
    return out;
  }

  private static Map<String, Object> responses(Map<String, Object> op) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object responses = op.get("responses");
    if (responses != null) {
      map(responses).forEach((code, r) -> out.put(String.valueOf(code), r));
    }
    return out;
  }

  private static Set<String> securitySchemes(Map<String, Object> doc, Map<String, Object> op) {
    Object security = op.containsKey("security") ? op.get("security") : doc.get("security");
    Set<String> out = new TreeSet<>();
    if (security != null) {
      list(security).forEach(requirement -> out.addAll(map(requirement).keySet()));
    }
    return out;
  }

  private String bearer(Map<String, Object> doc, Map<String, Object> op) {
    Set<String> schemes = securitySchemes(doc, op);
    if (schemes.contains("adminToken")) {
      return TestJeton.ADMIN_TOKEN;
    }
    if (schemes.contains("portalClient")) {
      return j.api.clientSecret();
    }
    return null;
  }

  /** The path with each {param} replaced by a placeholder that names nothing. */
  private static String fill(String path) {
    Matcher m = TEMPLATE.matcher(path);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = PLACEHOLDERS.get(m.group(1));
      assertThat(value).as("a placeholder for {%s} in %s", m.group(1), path).isNotNull();
      m.appendReplacement(out, value);
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The router's own 404 (no route) is {"error":"not_found"} without a detail; a handler's 404 has
   * one.
   */
  private static boolean noRoute(Resp r) {
    return r.status() == 404
        && (r.json() == null
            || ("not_found".equals(r.json().getString("error"))
                && !r.json().containsKey("detail")));
  }

  /** Follows a local $ref ("#/components/..."), repeatedly. */
  private static Map<String, Object> resolve(Map<String, Object> doc, Object node) {
    Map<String, Object> m = map(node);
    for (int hops = 0; m.containsKey("$ref") && hops < 10; hops++) {
      String ref = String.valueOf(m.get("$ref"));
      Object target = lookup(doc, ref);
      assertThat(target).as("$ref %s resolves", ref).isNotNull();
      m = map(target);
    }
    return m;
  }

  private static Object lookup(Map<String, Object> doc, String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    Object at = doc;
    for (String part : ref.substring(2).split("/")) {
      String key = part.replace("~1", "/").replace("~0", "~");
      if (!(at instanceof Map<?, ?> m) || !m.containsKey(key)) {
        return null;
      }
      at = m.get(key);
    }
    return at;
  }

  private static void collectRefs(Object node, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if ("$ref".equals(k) && v instanceof String s) {
              out.add(s);
            } else {
              collectRefs(v, out);
            }
          });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectRefs(v, out));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).as("a YAML mapping").isInstanceOf(Map.class);
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<Object, Object>) o).forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).as("a YAML sequence").isInstanceOf(List.class);
    return (List<Object>) o;
  }
}
