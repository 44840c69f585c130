package dev.jeton.track;

/** The store contract on the embedded store: a fresh {@link MemoryStore} for each test. */
class MemoryStoreContractTest extends StoreContract {

  private MemoryStore store;

  @Override
  protected Store store() {
    return store;
  }

  @Override
  protected void resetStore() {
    store = new MemoryStore();
  }
}
