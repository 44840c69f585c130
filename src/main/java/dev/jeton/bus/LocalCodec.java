package dev.jeton.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.Collection;

/**
 * Passes an immutable record by reference between verticles of one JVM: no JSON copy. Messages for
 * another node would need a wire codec; Jeton's bus is local today, so encoding fails loudly
 * instead of silently.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = "local:" + type.getName();
  }

  /**
   * Registers this codec as the default for each type (idempotent per Vert.x instance is not
   * needed: call once).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void registerAll(Vertx vertx, Collection<Class<?>> types) {
    for (Class<?> type : types) {
      vertx.eventBus().registerDefaultCodec((Class) type, new LocalCodec(type));
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
