package dev.jeton.radius;

import dev.jeton.bus.Addresses;
import dev.jeton.bus.LoginOutcome;
import dev.jeton.bus.LoginRequest;
import dev.jeton.config.Config;
import dev.jeton.config.IpBlocks;
import dev.jeton.config.RadiusSettings;
import dev.jeton.crypto.Keys;
import dev.jeton.crypto.Secrets;
import dev.jeton.metrics.RadiusMeters;
import dev.jeton.radiuscodec.Attribute;
import dev.jeton.radiuscodec.Attributes;
import dev.jeton.radiuscodec.MalformedPacketException;
import dev.jeton.radiuscodec.MessageAuthenticator;
import dev.jeton.radiuscodec.RadiusCodes;
import dev.jeton.radiuscodec.RadiusPacket;
import dev.jeton.radiuscodec.RadiusResponse;
import dev.jeton.radiuscodec.UserPassword;
import dev.jeton.track.BusStore;
import dev.jeton.track.Store;
import dev.jeton.web.ClientAddress;
import dev.jeton.web.Texts;
import dev.jeton.web.VerifierClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RADIUS intake (RFC 2865, PAP): one UDP socket, on which Access-Requests from the RADIUS
 * clients of the store ({@link NasTable}) are turned into {@link LoginRequest}s for verification,
 * over the bus like every intake's, and its {@link LoginOutcome}s into Access-Accept, -Reject or
 * -Challenge. The one field of a RADIUS login, User-Password, is the portal's one field: a
 * password, or PIN + code. It knows nothing of OTP.
 *
 * <p>Protocol hygiene, in the order a datagram meets it: a source no client's network holds is
 * dropped (a shared secret is needed to answer at all); a malformed packet is dropped; any code but
 * Access-Request and Status-Server is dropped; a Message-Authenticator (RFC 3579) that does not
 * verify is dropped, and so is a request without one when its client requires it (the default,
 * against BlastRADIUS, CVE-2024-3596) and every Status-Server without one (RFC 5997). A copy of a
 * request already seen gets the same answer, never a second evaluation ({@link Retransmissions}).
 * Every answer carries a Message-Authenticator and its Response Authenticator. Each drop is counted
 * by cause; none is answered, so a scanner learns nothing.
 *
 * <p>Which failures are dropped: a decision that could not be made (the store unavailable: 503 on
 * the JSON API) is dropped, not rejected, as FreeRADIUS does when a module fails: the NAS then
 * sends the request again or to its other RADIUS server, and the user is not told "wrong password"
 * for a fault of ours. Throttling (429 on the JSON API) is an Access-Reject: a dropped request
 * would come back several times from every NAS, multiplying the load on the address that is already
 * too busy.
 *
 * <p>One instance, on one event loop (one socket), whose verification runs on that loop too ({@code
 * LoopLocal}). Sending the decisions to every loop in turn was tried and measured no better on two
 * cores, for a hop between threads per request (docs/2026-12-06-radius-figures.md).
 */
public final class RadiusVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RadiusVerticle.class);

  /** The client in the audit and the decision's log line: {@code radius:NAS}. */
  static final String CLIENT_PREFIX = "radius:";

  /** Requests kept for retransmissions; beyond, the oldest go. */
  private static final int REMEMBERED = 65_536;

  /** Requests being decided at once; beyond, new ones are dropped (the NAS sends them again). */
  private static final int IN_FLIGHT = 10_000;

  /** How often the table of clients is read again, besides every change heard. */
  private static final long RELOAD_MILLIS = 60_000;

  /** How often a table that could not be read at all is tried again. */
  private static final long RETRY_MILLIS = 2_000;

  private static final int NOTE_MAX = 64;

  private static final int RECEIVE_BUFFER = 4 * 1024 * 1024;

  private final Config config;
  private final RadiusSettings settings;
  private final RadiusMeters meters;
  private final NasTable nas;
  private final Rounds rounds;
  private final Texts texts;
  private final Retransmissions seen = new Retransmissions(REMEMBERED);

  private Store store;
  private VerifierClient verifier;
  private DatagramSocket socket;
  private int inFlight;
  private boolean loading;
  private boolean loadAgain;
  private boolean loaded;

  public RadiusVerticle(Config config, Keys keys, RadiusMeters meters) {
    this.config = config;
    this.settings = config.radius();
    this.meters = meters;
    this.nas = new NasTable(keys.radiusSecrets());
    this.rounds = new Rounds(keys.radiusStates());
    this.texts = Texts.catalog("/radius").of(settings.language());
  }

  @Override
  public Future<?> start() {
    store = new BusStore(vertx, config.storeTimeoutMillis() + 200L);
    verifier = new VerifierClient(vertx, config.storeTimeoutMillis());
    vertx.eventBus().<String>localConsumer(Addresses.RADIUS_CLIENTS_CHANGED, m -> reload());
    vertx.setPeriodic(RELOAD_MILLIS, id -> reload());
    reload();
    // A morning rush arrives in bursts from every NAS at once: a receive buffer of the kernel's
    // default size (about 200 KiB) overflowed at 256 requests in flight, and the kernel drops what
    // does not fit before anyone can count it. The kernel caps this at net.core.rmem_max.
    DatagramSocketOptions options =
        new DatagramSocketOptions()
            .setIpV6(settings.host().indexOf(':') >= 0)
            .setReceiveBufferSize(RECEIVE_BUFFER);
    socket = vertx.createDatagramSocket(options);
    socket.handler(this::received);
    return socket
        .listen(settings.port(), settings.host())
        .onSuccess(
            s ->
                LOG.atInfo()
                    .setMessage("radius_listening")
                    .addKeyValue("host", settings.host())
                    .addKeyValue("port", s.localAddress().port())
                    .log());
  }

  @Override
  public Future<?> stop() {
    nas.replace(List.of());
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  /** The UDP port it listens on (the one chosen, when configured as 0). */
  public int port() {
    return socket.localAddress().port();
  }

  // ---- the table of clients ----

  /** Reads every client again; changes heard meanwhile read it once more after. */
  private void reload() {
    if (loading) {
      loadAgain = true;
      return;
    }
    loading = true;
    store
        .radiusClients()
        .onComplete(
            ar -> {
              loading = false;
              if (ar.succeeded()) {
                nas.replace(ar.result());
                loaded = true;
                LOG.atInfo()
                    .setMessage("radius_clients_loaded")
                    .addKeyValue("count", nas.size())
                    .addKeyValue("unreadable", nas.unreadable())
                    .log();
              } else {
                LOG.atWarn()
                    .setMessage("radius_clients_unavailable")
                    .addKeyValue("detail", ar.cause().getMessage())
                    .log();
                if (!loaded) {
                  vertx.setTimer(RETRY_MILLIS, id -> reload());
                }
              }
              if (loadAgain) {
                loadAgain = false;
                reload();
              }
            });
  }

  // ---- one datagram ----

  private void received(DatagramPacket datagram) {
    long receivedNanos = System.nanoTime();
    String sourceIp = ClientAddress.canonical(datagram.sender().hostAddress());
    int sourcePort = datagram.sender().port();
    NasTable.Nas client = nas.find(IpBlocks.literal(sourceIp));
    if (client == null) {
      meters.drop("unknown_client");
      return;
    }
    byte[] bytes = datagram.data().getBytes();
    RadiusPacket request;
    try {
      request = RadiusPacket.parse(bytes, bytes.length);
    } catch (MalformedPacketException e) {
      meters.drop("malformed");
      return;
    }
    meters.request(request.code());
    int code = request.code();
    if (code != RadiusCodes.ACCESS_REQUEST && code != RadiusCodes.STATUS_SERVER) {
      meters.drop("unknown_code");
      return;
    }
    int length = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    if (MessageAuthenticator.present(request)) {
      if (!MessageAuthenticator.verify(bytes, length, client.secret())) {
        meters.drop("bad_message_authenticator");
        return;
      }
    } else if (client.requireMessageAuthenticator() || code == RadiusCodes.STATUS_SERVER) {
      meters.drop("no_message_authenticator");
      return;
    }
    Responder answer = new Responder(datagram, request, client, receivedNanos);
    if (code == RadiusCodes.STATUS_SERVER) {
      // RFC 5997 §3: an authentication server answers Access-Accept; it is never cached.
      answer.send(RadiusCodes.ACCESS_ACCEPT, List.of(), "status", null);
      return;
    }
    String key =
        Retransmissions.key(sourceIp, sourcePort, request.identifier(), request.authenticator());
    switch (seen.begin(key, receivedNanos / 1_000_000)) {
      case ANSWERED -> {
        answer.resend(seen.answer(key));
        return;
      }
      case IN_PROGRESS -> {
        meters.drop("in_progress");
        return;
      }
      case NEW -> {}
    }
    if (inFlight >= IN_FLIGHT) {
      seen.forget(key);
      meters.drop("overloaded");
      return;
    }
    answer.key = key;
    access(request, client, sourceIp, answer);
  }

  /** An Access-Request from a known client, its authenticity checked. */
  private void access(
      RadiusPacket request, NasTable.Nas client, String sourceIp, Responder answer) {
    String username = request.firstString(Attributes.USER_NAME);
    byte[] hidden = request.first(Attributes.USER_PASSWORD);
    if (hidden == null || !VerifierClient.acceptableUsername(username)) {
      // No PAP password (CHAP, EAP…: not served), or a name Jeton could not know: refused as a
      // wrong password is, without asking.
      answer.reject();
      return;
    }
    String typed;
    try {
      byte[] clear = UserPassword.unhide(hidden, client.secret(), request.authenticator());
      typed = new String(clear, StandardCharsets.UTF_8);
      Arrays.fill(clear, (byte) 0);
    } catch (MalformedPacketException e) {
      seen.forget(answer.key);
      meters.drop("malformed");
      return;
    }
    String ip = sourceIp;
    String note = null;
    String station = request.firstString(Attributes.CALLING_STATION_ID);
    if (client.trustCallingStationId() && station != null) {
      String printable = printable(station);
      if (IpBlocks.literal(printable) != null) {
        // A VPN's Calling-Station-Id is the user's own address: throttling counts by it.
        ip = ClientAddress.canonical(printable);
      }
      note = printable.isEmpty() ? null : "calling-station-id=" + printable;
    }
    String stateValue = request.firstString(Attributes.STATE);
    String nasName = client.name();
    Rounds.Round round = stateValue == null ? null : rounds.open(stateValue, username, nasName);
    if (stateValue != null && round == null) {
      // A State of no round of ours (forged, another user's, another cluster's): verification
      // refuses it, audited, as the JSON API's unknown state.
      round = new Rounds.Round(Rounds.Step.NEXT_PASSCODE, "radius-unknown-state", null);
    }
    if (round != null && round.step() == Rounds.Step.NEW_PIN) {
      // The first of the two PIN rounds: nothing to decide yet.
      answer.challenge(
          rounds.seal(
              new Rounds.Round(Rounds.Step.CONFIRM_PIN, round.state(), typed), username, nasName),
          texts.get("confirm"));
      return;
    }
    boolean confirming = round != null && round.step() == Rounds.Step.CONFIRM_PIN;
    LoginRequest login =
        new LoginRequest(
            Secrets.randomId(),
            username,
            confirming ? null : typed,
            round == null ? null : round.state(),
            confirming ? round.pin() : null,
            confirming ? typed : null,
            ip,
            CLIENT_PREFIX + nasName,
            "any",
            answer.receivedNanos,
            note);
    inFlight++;
    String apiState = round == null ? null : round.state();
    verifier
        .verify(login)
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.failed()) {
                answer.drop("unavailable");
              } else {
                decided(ar.result(), username, nasName, apiState, answer);
              }
            });
  }

  /** The decision, as RADIUS says it. */
  private void decided(
      LoginOutcome o, String username, String nasName, String apiState, Responder answer) {
    switch (o.kind()) {
      case ACCEPT -> answer.send(RadiusCodes.ACCESS_ACCEPT, List.of(), "accept", answer.key);
      case CHALLENGE -> {
        boolean newPin = "NEW_PIN".equals(o.challenge());
        Rounds.Step step = newPin ? Rounds.Step.NEW_PIN : Rounds.Step.NEXT_PASSCODE;
        answer.challenge(
            rounds.seal(new Rounds.Round(step, o.state(), null), username, nasName),
            newPin ? texts.get("newpin", digits()) : texts.get("next"));
      }
      case BAD_REQUEST -> {
        if (apiState != null
            && ("pin_mismatch".equals(o.error()) || "pin_policy".equals(o.error()))) {
          // The NEW_PIN challenge stays open: back to its first round, saying why.
          answer.challenge(
              rounds.seal(new Rounds.Round(Rounds.Step.NEW_PIN, apiState, null), username, nasName),
              texts.get("pin_mismatch".equals(o.error()) ? "mismatch" : "policy", digits()));
        } else {
          answer.reject();
        }
      }
      case UNAVAILABLE -> answer.drop("unavailable");
      default -> answer.reject(); // REJECT, LOCKED, RATE_LIMITED: alike to the user
    }
  }

  private String digits() {
    return texts.pinDigits(config.pinMinLength(), config.pinMaxLength());
  }

  /** Printable ASCII only, at most {@value #NOTE_MAX} characters: it goes into the audit. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), NOTE_MAX));
    for (int i = 0; i < s.length() && b.length() < NOTE_MAX; i++) {
      char c = s.charAt(i);
      if (c > 0x20 && c < 0x7f) {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Answers one request, once. */
  private final class Responder {
    private final DatagramPacket datagram;
    private final RadiusPacket request;
    private final NasTable.Nas client;
    private final long receivedNanos;
    private String key;

    Responder(DatagramPacket datagram, RadiusPacket request, NasTable.Nas client, long nanos) {
      this.datagram = datagram;
      this.request = request;
      this.client = client;
      this.receivedNanos = nanos;
    }

    void reject() {
      send(
          RadiusCodes.ACCESS_REJECT,
          List.of(text(Attributes.REPLY_MESSAGE, texts.get("reject"))),
          "reject",
          key);
    }

    void challenge(String state, String message) {
      List<Attribute> attributes = new ArrayList<>(2);
      attributes.add(new Attribute(Attributes.STATE, state.getBytes(StandardCharsets.US_ASCII)));
      attributes.add(text(Attributes.REPLY_MESSAGE, message));
      send(RadiusCodes.ACCESS_CHALLENGE, attributes, "challenge", key);
    }

    /** No answer: the NAS sends the request again, and that copy is decided afresh. */
    void drop(String cause) {
      if (key != null) {
        seen.forget(key);
      }
      meters.drop(cause);
    }

    void send(int code, List<Attribute> attributes, String kind, String remember) {
      byte[] bytes = RadiusResponse.encode(code, request, attributes, client.secret());
      if (remember != null) {
        seen.answered(remember, bytes);
      }
      transmit(bytes, kind);
    }

    void resend(byte[] bytes) {
      transmit(bytes, "retransmitted");
    }

    private void transmit(byte[] bytes, String kind) {
      socket.send(Buffer.buffer(bytes), datagram.sender().port(), datagram.sender().hostAddress());
      meters.answer(kind, System.nanoTime() - receivedNanos);
    }
  }

  private static Attribute text(int type, String value) {
    return new Attribute(type, value.getBytes(StandardCharsets.UTF_8));
  }
}
