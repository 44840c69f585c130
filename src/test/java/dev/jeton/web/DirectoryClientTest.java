package dev.jeton.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.bus.DirectoryBus.DirectoryUser;
import dev.jeton.track.Store.UserMatch;
import dev.jeton.web.DirectoryClient.Match;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The merge of Jeton's matches and the directory's, and a client with no directory, without Vert.x.
 */
class DirectoryClientTest {

  @Test
  void eachUsernameOnceWithTheDirectorysDisplayNameInTheStoresOrderWithinTheLimit() {
    List<UserMatch> own =
        List.of(new UserMatch("alfred", "Zed Alfred"), new UserMatch("bob", "Old Name"));
    List<DirectoryUser> theirs =
        List.of(
            new DirectoryUser("bob", "Albert Bob"),
            new DirectoryUser("alice", null),
            new DirectoryUser("zoe", "Alma Zoe"));

    assertThat(DirectoryClient.merge(own, theirs, "AL", 10))
        .containsExactly(
            new Match("bob", "Albert Bob", true),
            new Match("alfred", "Zed Alfred", true),
            new Match("alice", null, false),
            new Match("zoe", "Alma Zoe", false));
    assertThat(DirectoryClient.merge(own, theirs, "al", 2))
        .extracting(Match::username)
        .containsExactly("bob", "alfred");
  }

  @Test
  void aUserMatchedByIdentifierAndNameComesAtTheFirstOfItsTwoPlaces() {
    // "ma alpha" (its name) sorts before "ma-b", and "ma-b" before "ma-zed" (its identifier).
    List<DirectoryUser> theirs =
        List.of(new DirectoryUser("ma-b", null), new DirectoryUser("ma-zed", "Ma Alpha"));

    assertThat(DirectoryClient.merge(List.of(), theirs, "m", 10))
        .extracting(Match::username)
        .containsExactly("ma-zed", "ma-b");
  }

  @Test
  void codePointOrderPutsCharactersBeyondTheBmpAfterTheRestOfTheBmp() {
    assertThat(DirectoryClient.byCodePoint("\uD83D\uDE00", "\uFF5E")).isPositive();
    assertThat("\uD83D\uDE00".compareTo("\uFF5E")).as("UTF-16 order differs").isNegative();
    assertThat(DirectoryClient.byCodePoint("ab", "abc")).isNegative();
    assertThat(DirectoryClient.byCodePoint("abc", "abc")).isZero();
  }

  @Test
  void withoutADirectoryNothingIsAskedAndNothingFound() {
    DirectoryClient none = new DirectoryClient(null, null);

    assertThat(none.configured()).isFalse();
    assertThat(none.findUser("alice").result()).isNull();
    assertThat(none.search("al", 5).result()).isEmpty();
  }
}
