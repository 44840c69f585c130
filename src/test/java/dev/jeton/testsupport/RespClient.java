package dev.jeton.testsupport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal RESP2 client over a plain socket, for the test harness itself (no Vert.x): the harness
 * must be able to probe a node that is half up, paused or gone, and always come back within a
 * bounded time.
 *
 * <p>Replies are mapped to Java values: simple and bulk strings to {@link String}, integers to
 * {@link Long}, arrays to {@code List<Object>}, nil to {@code null}; an error reply is thrown as
 * {@link ErrorReply}. Connect and every read are bounded by the timeout given.
 *
 * <pre>{@code
 * Object pong = RespClient.call(port, password, 1_000, "PING");   // "PONG"
 * try (RespClient c = RespClient.connect(port, password, 1_000)) {
 *   c.call("SET", "k", "v");
 *   c.call("GET", "k");                                            // "v"
 * }
 * }</pre>
 */
public final class RespClient implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  private static final int MAX_BULK = 64 * 1024 * 1024;
  private static final int MAX_LINE = 64 * 1024;

  /** An error reply of Redis ({@code -ERR ...}, {@code -NOAUTH ...}, {@code -MOVED ...}, …). */
  public static final class ErrorReply extends IOException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }

    /** The first word of the error: {@code ERR}, {@code NOAUTH}, {@code LOADING}, {@code MOVED}… */
    public String code() {
      String m = getMessage();
      int space = m.indexOf(' ');
      return space < 0 ? m : m.substring(0, space);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /**
   * Connects to 127.0.0.1:{@code port} and, when {@code password} is not null, authenticates. Every
   * connect and read waits at most {@code timeoutMs}.
   */
  public static RespClient connect(int port, String password, int timeoutMs) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(HOST, port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      socket.setTcpNoDelay(true);
      RespClient client = new RespClient(socket);
      if (password != null) {
        client.call("AUTH", password);
      }
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** One command on a fresh connection (authenticated when {@code password} is not null). */
  public static Object call(int port, String password, int timeoutMs, String... args)
      throws IOException {
    try (RespClient client = connect(port, password, timeoutMs)) {
      return client.call(args);
    }
  }

  /** Sends one command and reads its reply. */
  public Object call(String... args) throws IOException {
    out.write(encode(args));
    out.flush();
    return read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  // ---------------------------------------------------------------- helpers for replies

  /** Parses an {@code INFO} reply ({@code key:value} lines; comments and blank lines skipped). */
  public static Map<String, String> parseInfo(Object reply) {
    Map<String, String> info = new LinkedHashMap<>();
    for (String line : String.valueOf(reply).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (!line.startsWith("#") && colon > 0) {
        info.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return info;
  }

  /**
   * A reply as {@code redis-cli} prints it when its output is not a terminal: a string or an
   * integer as it is, nil as an empty line, an array one element a line (nested arrays flattened),
   * an error as its message. Tests that used to run {@code redis-cli} read the same text without
   * needing it.
   */
  public static String asText(Object reply) {
    StringBuilder text = new StringBuilder();
    appendText(text, reply);
    return text.toString().strip();
  }

  private static void appendText(StringBuilder text, Object reply) {
    if (reply instanceof List<?> list) {
      for (Object element : list) {
        appendText(text, element);
      }
    } else {
      text.append(reply == null ? "" : reply).append('\n');
    }
  }

  /** A flat array {@code [k1, v1, k2, v2, …]} (as {@code SENTINEL MASTER} answers) as a map. */
  public static Map<String, String> pairs(Object reply) {
    Map<String, String> map = new LinkedHashMap<>();
    List<?> list = (List<?>) reply;
    for (int i = 0; i + 1 < list.size(); i += 2) {
      map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
    }
    return map;
  }

  // ---------------------------------------------------------------- protocol

  private static byte[] encode(String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ascii(buf, "*" + args.length + "\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      ascii(buf, "$" + bytes.length + "\r\n");
      buf.write(bytes, 0, bytes.length);
      ascii(buf, "\r\n");
    }
    return buf.toByteArray();
  }

  private static void ascii(ByteArrayOutputStream buf, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    buf.write(bytes, 0, bytes.length);
  }

  private Object read() throws IOException {
    int type = in.read();
    if (type == -1) {
      throw new EOFException("connection closed by 127.0.0.1:" + socket.getPort());
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new ErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int length = Integer.parseInt(line);
          if (length < 0) {
            return null;
          }
          if (length > MAX_BULK) {
            throw new IOException("bulk string of " + length + " bytes: refused");
          }
          byte[] bytes = in.readNBytes(length + 2);
          if (bytes.length != length + 2) {
            throw new EOFException("connection closed inside a bulk string");
          }
          return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(line);
          if (count < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(Math.min(count, 1024));
          for (int i = 0; i < count; i++) {
            try {
              items.add(read());
            } catch (ErrorReply e) {
              items.add(e); // an error inside an array (EXEC) is an element, not a failure
            }
          }
          return items;
        }
      default:
        throw new IOException("unexpected RESP type '" + (char) type + "' (" + line + ")");
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c == -1) {
        throw new EOFException("connection closed inside a reply line");
      }
      if (c != '\r') {
        line.append((char) c);
      }
      if (line.length() > MAX_LINE) {
        throw new IOException("reply line longer than " + MAX_LINE);
      }
    }
    return line.toString();
  }
}
