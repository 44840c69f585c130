package dev.jeton;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shape of a JSON log line: the real logback.xml is loaded into a context of its own, and
 * events logged with SLF4J's fluent API are encoded by the encoder that configuration gives the
 * json appender.
 */
class LogShapeTest {

  /**
   * The fields the encoder writes itself: a key-value pair of the same name would make a duplicate
   * key.
   */
  private static final Set<String> ENCODER_FIELDS =
      Set.of("@timestamp", "level", "logger", "thread", "message", "stack_trace");

  private static final Pattern KEY = Pattern.compile("addKeyValue\\(\\s*\"([^\"]*)\"");
  private static final JsonFactory STRICT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private LoggerContext context;

  @AfterEach
  void stop() {
    if (context != null) {
      context.stop();
    }
  }

  @Test
  void theJsonAppenderIsAsyncNeverBlocksAndEncodesWithLogstash() throws Exception {
    configure("json");
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("json"))
        .as("json is the default format")
        .isInstanceOf(AsyncAppender.class);
    AsyncAppender async = (AsyncAppender) root.getAppender("json");
    assertThat(async.isNeverBlock()).as("event loops never wait on stdout").isTrue();
    assertThat(async.getAppender("json-out")).isInstanceOf(ConsoleAppender.class);
    assertThat(jsonEncoder()).isInstanceOf(LogstashEncoder.class);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void textIsTheOtherFormat() throws Exception {
    configure("text");
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("text")).isInstanceOf(AsyncAppender.class);
    assertThat(root.getAppender("json")).isNull();
  }

  @Test
  void keyValuePairsAreTopLevelFieldsOfOneFlatObject() throws Exception {
    configure("json");
    ILoggingEvent event =
        logged(
            log ->
                log.atInfo()
                    .setMessage("decision")
                    .addKeyValue("decision", "ACCEPT")
                    .addKeyValue("reason", (Object) null)
                    .addKeyValue("count", 3)
                    .addKeyValue("user", () -> "0123456789ab")
                    .addKeyValue("request_id", "r-1")
                    .log());

    String line = encode(event);
    Map<String, Object> fields = flatFields(line);

    assertThat(fields.get("@timestamp")).isInstanceOf(String.class);
    assertThat(OffsetDateTime.parse((String) fields.get("@timestamp")).toInstant().toEpochMilli())
        .isEqualTo(event.getTimeStamp());
    assertThat(fields)
        .containsEntry("level", "INFO")
        .containsEntry("logger", LogShapeTest.class.getName())
        .containsEntry("thread", Thread.currentThread().getName())
        .containsEntry("message", "decision")
        .containsEntry("decision", "ACCEPT")
        .containsEntry("count", 3)
        .containsEntry("user", "0123456789ab")
        .containsEntry("request_id", "r-1");
    assertThat(fields)
        .as("a null value is no field: not JSON null, not the string \"null\"")
        .doesNotContainKey("reason");
    assertThat(fields)
        .as(
            "no kvpList, level_value, @version, logger_name, thread_name, formattedMessage, context")
        .containsOnlyKeys(
            "@timestamp",
            "level",
            "logger",
            "thread",
            "message",
            "decision",
            "count",
            "user",
            "request_id");
    assertThat(line).doesNotContain("\"null\"").doesNotContain("kvpList");
  }

  @Test
  void aThrowableIsAStackTraceFieldOnTheSameLine() throws Exception {
    configure("json");
    ILoggingEvent event =
        logged(
            log ->
                log.atError()
                    .setMessage("internal_error")
                    .addKeyValue("path", "/v1/x")
                    .setCause(new IllegalStateException("boom"))
                    .log());

    String line = encode(event);
    Map<String, Object> fields = flatFields(line);

    assertThat(fields)
        .containsEntry("level", "ERROR")
        .containsEntry("message", "internal_error")
        .containsEntry("path", "/v1/x");
    assertThat((String) fields.get("stack_trace"))
        .startsWith("java.lang.IllegalStateException: boom")
        .contains("\tat " + LogShapeTest.class.getName());
  }

  @Test
  void noKeyOfTheCodeCollidesWithAFieldOfTheEncoder() throws IOException {
    Set<String> keys = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = KEY.matcher(Files.readString(f));
        while (m.find()) {
          keys.add(m.group(1));
        }
      }
    }
    assertThat(keys)
        .as("the keys of addKeyValue in src/main/java (else this proves nothing)")
        .contains("decision")
        .doesNotContainAnyElementsOf(ENCODER_FIELDS);
  }

  // ---- helpers ----

  /**
   * Loads the logback.xml the jar ships, with JETON_LOG_FORMAT set (a context property wins over
   * the environment).
   */
  private void configure(String format) throws Exception {
    URL config = LogShapeTest.class.getResource("/logback.xml");
    assertThat(config).as("logback.xml on the classpath").isNotNull();
    assertThat(config.getPath())
        .as("the main resource, not a test copy")
        .endsWith("classes/logback.xml");
    context = new LoggerContext();
    context.setMDCAdapter(
        new LogbackMDCAdapter()); // as logback's SLF4J provider does for its context
    context.putProperty("JETON_LOG_FORMAT", format);
    context.putProperty("JETON_LOG_LEVEL", "INFO");
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(config);
  }

  @SuppressWarnings("unchecked")
  private Encoder<ILoggingEvent> jsonEncoder() {
    AsyncAppender async =
        (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("json");
    return ((ConsoleAppender<ILoggingEvent>) async.getAppender("json-out")).getEncoder();
  }

  /** Logs through a logger of the configured context, caught by a list (not stdout). */
  private ILoggingEvent logged(Consumer<org.slf4j.Logger> log) {
    Logger logger = context.getLogger(LogShapeTest.class);
    logger.setAdditive(false);
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.setContext(context);
    list.start();
    logger.addAppender(list);
    log.accept(logger);
    assertThat(list.list).hasSize(1);
    return list.list.get(0);
  }

  private String encode(ILoggingEvent event) {
    String line = new String(jsonEncoder().encode(event), StandardCharsets.UTF_8);
    assertThat(line).as("one line").endsWith("\n").doesNotContain("\r");
    assertThat(line.indexOf('\n')).as("one line: %s", line).isEqualTo(line.length() - 1);
    return line;
  }

  /**
   * The fields of one JSON object whose values are all scalars; fails on a nested value or a
   * duplicate key.
   */
  private static Map<String, Object> flatFields(String line) {
    Map<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser p = STRICT.createParser(line)) {
      assertThat(p.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        assertThat(value.isScalarValue()).as("%s is a scalar in %s", name, line).isTrue();
        fields.put(
            name,
            switch (value) {
              case VALUE_NULL -> null;
              case VALUE_STRING -> p.getText();
              case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
              default -> p.getNumberValue();
            });
      }
      assertThat(p.nextToken()).as("nothing after the object: %s", line).isNull();
    } catch (IOException e) {
      throw new UncheckedIOException(line, e);
    }
    return fields;
  }
}
