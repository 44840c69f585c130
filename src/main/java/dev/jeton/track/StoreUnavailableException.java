package dev.jeton.track;

/** The store could not be reached or did not answer in time; callers fail closed. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
