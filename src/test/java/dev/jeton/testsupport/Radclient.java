package dev.jeton.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FreeRADIUS's own client, {@code radclient} (Debian's freeradius-utils), run once per request: the
 * real thing a district's VPN or Wi-Fi controller speaks, rather than our codec talking to itself.
 * Each run sends one packet once ({@code -r 1}), waits 2 s for the answer, and is killed if it
 * outlives its bound.
 */
public final class Radclient {

  private static final Pattern RECEIVED =
      Pattern.compile("Received (Access-[A-Za-z]+) Id (\\d+) from");
  private static final Pattern STATE = Pattern.compile("State = (0x[0-9a-fA-F]+)");
  private static final Pattern REPLY = Pattern.compile("Reply-Message = \"([^\"]*)\"");

  /** What one run printed and what it received: {@code code} is null when nothing came back. */
  public record Reply(int exit, String code, String state, List<String> messages, String output) {
    public String message() {
      return String.join(" ", messages);
    }
  }

  private final int port;
  private final String secret;

  public Radclient(int port, String secret) {
    this.port = port;
    this.secret = secret;
  }

  /** True when {@code radclient} is on the PATH. */
  public static boolean available() {
    try {
      Process p = new ProcessBuilder("radclient", "-v").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * One Access-Request with a Message-Authenticator.
   *
   * @param state the State of the challenge answered ("0x…" as radclient printed it), or null
   * @param extra more attribute lines ({@code Name = value}), or none
   */
  public Reply auth(String username, String password, String state, String... extra) {
    List<String> attributes = new ArrayList<>();
    attributes.add("User-Name = \"" + username + "\"");
    attributes.add("User-Password = \"" + password + "\"");
    attributes.add("Message-Authenticator = 0x00");
    if (state != null) {
      attributes.add("State = " + state);
    }
    attributes.addAll(List.of(extra));
    return send("auth", attributes, secret);
  }

  /** Any packet, with exactly these attributes and this secret. */
  public Reply send(String command, List<String> attributes, String sharedSecret) {
    try {
      Path secretFile = Files.createTempFile("radclient", ".secret");
      try {
        Files.writeString(secretFile, sharedSecret + "\n");
        Process p =
            new ProcessBuilder(
                    "radclient",
                    "-x",
                    "-r",
                    "1",
                    "-t",
                    "2",
                    "-S",
                    secretFile.toString(),
                    "127.0.0.1:" + port,
                    command)
                .redirectErrorStream(true)
                .start();
        p.getOutputStream()
            .write((String.join(", ", attributes) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError("radclient did not end in 20 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher code = RECEIVED.matcher(out);
        // The State sent is printed too (before "Received"): the one received comes after it.
        int from = code.find() ? code.start() : out.length();
        String received = out.substring(from);
        Matcher s = STATE.matcher(received);
        List<String> messages = new ArrayList<>();
        Matcher m = REPLY.matcher(received);
        while (m.find()) {
          messages.add(m.group(1));
        }
        return new Reply(
            p.exitValue(),
            from < out.length() ? code.group(1) : null,
            s.find() ? s.group(1) : null,
            messages,
            out);
      } finally {
        Files.deleteIfExists(secretFile);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run radclient", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
