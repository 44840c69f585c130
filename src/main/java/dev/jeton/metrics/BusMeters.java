package dev.jeton.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.MetricsNaming;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's event-bus meters under the names, label and descriptions vertx-micrometer gives them,
 * but with each address's meters found once and kept. vertx-micrometer 5.0.7 finds them in the
 * registry by name and tags on every message (four lookups a message, one of them registering the
 * pending gauge again), a cost measured in the login rush (seven bus messages a login;
 * docs/2026-12-05-performance-history.md). Label: {@code address}, the one Jeton enables ({@code
 * side} is not enabled: local and remote messages count together, as vertx-micrometer then counts
 * them). Internal addresses ({@code __vertx.*}: replies) are not measured, as in vertx-micrometer.
 * Thread-safe.
 *
 * <p>It uses only public APIs (Vert.x's metrics SPI, Micrometer), but promises vertx-micrometer's
 * names, labels, descriptions and values: an internal hook in that sense (docs/internal-hooks.md),
 * guarded by {@code BusMetersTest}, which compares the scrapes of the same traffic through both.
 */
final class BusMeters implements EventBusMetrics<BusMeters.AddressMeters> {

  private static final String ADDRESS = "address";
  private static final String FAILURE = "failure";

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final ConcurrentMap<String, AddressMeters> addresses = new ConcurrentHashMap<>();

  /**
   * @param names the event bus's meter names, with their base name ({@code vertx.eventbus.})
   */
  BusMeters(MeterRegistry registry, MetricsNaming names) {
    this.registry = registry;
    this.names = names;
  }

  /**
   * The meters of one address; also what Vert.x keeps per registered handler. Each meter is
   * registered when first needed, as vertx-micrometer does: those of handlers when one registers,
   * the others at their first message.
   */
  final class AddressMeters {
    private final String address;
    final LongAdder handlers = new LongAdder();
    final LongAdder pending = new LongAdder();
    private volatile boolean pendingGauge;
    private volatile Counter processed;
    private volatile Counter discarded;
    private volatile Counter published;
    private volatile Counter sent;
    private volatile Counter received;
    private volatile Counter delivered;

    AddressMeters(String address) {
      this.address = address;
    }

    /**
     * The meters of handlers. Registered once, under this object's lock: the instances on each
     * event loop register their handlers of one address at the same moment, and a gauge registered
     * twice makes Micrometer warn.
     */
    void handled() {
      if (processed == null) {
        synchronized (this) {
          if (processed == null) {
            gauge(names.getEbHandlers(), "Number of event bus handlers in use", handlers);
            pending();
            discarded = counter(names.getEbDiscarded(), "Number of discarded messages");
            processed = counter(names.getEbProcessed(), "Number of processed messages");
          }
        }
      }
    }

    LongAdder pending() {
      if (!pendingGauge) {
        synchronized (this) {
          if (!pendingGauge) {
            gauge(names.getEbPending(), "Number of messages not processed yet", pending);
            pendingGauge = true;
          }
        }
      }
      return pending;
    }

    Counter processed() {
      handled();
      return processed;
    }

    Counter discarded() {
      handled();
      return discarded;
    }

    Counter published() {
      Counter c = published;
      return c != null
          ? c
          : (published =
              counter(
                  names.getEbPublished(), "Number of messages published (publish / subscribe)"));
    }

    Counter sent() {
      Counter c = sent;
      return c != null
          ? c
          : (sent = counter(names.getEbSent(), "Number of messages sent (point-to-point)"));
    }

    Counter received() {
      Counter c = received;
      return c != null
          ? c
          : (received = counter(names.getEbReceived(), "Number of messages received"));
    }

    Counter delivered() {
      Counter c = delivered;
      return c != null
          ? c
          : (delivered =
              counter(names.getEbDelivered(), "Number of messages delivered to handlers"));
    }

    private void gauge(String name, String description, LongAdder value) {
      Gauge.builder(name, value, LongAdder::doubleValue)
          .description(description)
          .tag(ADDRESS, address)
          .strongReference(true)
          .register(registry);
    }

    private Counter counter(String name, String description) {
      return Counter.builder(name)
          .description(description)
          .tag(ADDRESS, address)
          .register(registry);
    }
  }

  private AddressMeters of(String address) {
    AddressMeters meters = addresses.get(address);
    return meters != null ? meters : addresses.computeIfAbsent(address, AddressMeters::new);
  }

  private static boolean internal(String address) {
    return address.startsWith("__vertx.");
  }

  @Override
  public AddressMeters handlerRegistered(String address) {
    if (internal(address)) {
      return null;
    }
    AddressMeters meters = of(address);
    meters.handled();
    meters.handlers.increment();
    return meters;
  }

  @Override
  public void handlerUnregistered(AddressMeters meters) {
    if (meters != null) {
      meters.handlers.decrement();
    }
  }

  @Override
  public void messageDelivered(AddressMeters meters, boolean local) {
    if (meters != null) {
      meters.pending.decrement();
      meters.processed().increment();
    }
  }

  @Override
  public void discardMessage(AddressMeters meters, boolean local, Message<?> msg) {
    if (meters != null) {
      meters.pending.decrement();
      meters.discarded().increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    if (!internal(address)) {
      AddressMeters meters = of(address);
      (publish ? meters.published() : meters.sent()).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    if (!internal(address)) {
      AddressMeters meters = of(address);
      meters.received().increment();
      if (handlers > 0) {
        meters.pending().add(handlers);
        meters.delivered().increment();
      }
    }
  }

  // The rare paths (a clustered bus, a failed reply) look their meters up in the registry, as
  // vertx-micrometer does.

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    bytes(
        names.getEbBytesWritten(),
        "Number of bytes sent while sending messages to event bus cluster peers",
        address,
        numberOfBytes);
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    bytes(
        names.getEbBytesRead(),
        "Number of bytes received while reading messages from event bus cluster peers",
        address,
        numberOfBytes);
  }

  private void bytes(String name, String description, String address, int numberOfBytes) {
    if (!internal(address)) {
      DistributionSummary.builder(name)
          .description(description)
          .tag(ADDRESS, address)
          .register(registry)
          .record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!internal(address)) {
      Counter.builder(names.getEbReplyFailures())
          .description("Number of message reply failures")
          .tag(ADDRESS, address)
          .tag(FAILURE, failure.name())
          .register(registry)
          .increment();
    }
  }
}
