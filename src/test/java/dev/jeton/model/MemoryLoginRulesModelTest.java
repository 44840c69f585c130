package dev.jeton.model;

import dev.jeton.track.MemoryStore;
import dev.jeton.track.Store;

/** The login rules against the model, on the embedded store: a new store for each sequence. */
class MemoryLoginRulesModelTest extends LoginRulesModelContract {

  @Override
  protected Store storeForSequence() {
    return new MemoryStore();
  }

  /** The embedded store answers in microseconds: more sequences for the same time as Redis. */
  @Override
  protected int tries() {
    return 500;
  }
}
