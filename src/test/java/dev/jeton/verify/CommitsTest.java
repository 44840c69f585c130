package dev.jeton.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jeton.track.Challenge;
import dev.jeton.track.Store.Commit;
import dev.jeton.track.Store.CommitMode;
import org.junit.jupiter.api.Test;

/** Each named commit is the very commit the verifier built by position before, field for field. */
class CommitsTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final int TTL = 120;

  @Test
  void aPasswordAcceptNamesNoTokenAndNoStep() {
    assertThat(Commits.acceptPassword("alice", NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.ACCEPT, null, 0, null, null, null, null, NOW, TTL));
  }

  @Test
  void aCodeAcceptRecordsTheStepAndKeepsTheDrift() {
    assertThat(Commits.acceptCode("alice", "T1", 42, NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.ACCEPT, "T1", 42, null, null, null, null, NOW, TTL));
  }

  @Test
  void anEmergencyAcceptUsesTheCodeInsteadOfAStep() {
    assertThat(Commits.acceptEmergency("alice", "T1", "e-hash", NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.ACCEPT, "T1", 0, null, "e-hash", null, null, NOW, TTL));
  }

  @Test
  void anAnswerAcceptClosesItsChallengeWithOrWithoutADrift() {
    assertThat(Commits.acceptAnswer("alice", "T1", 43, -2, "c1", NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.ACCEPT, "T1", 43, -2, null, "c1", null, NOW, TTL));
    assertThat(Commits.acceptAnswer("alice", "T1", 43, null, "c1", NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.ACCEPT, "T1", 43, null, null, "c1", null, NOW, TTL));
  }

  @Test
  void aChallengeConsumesTheStepAndOpensIt() {
    Challenge open =
        new Challenge("c2", "alice", Challenge.Kind.NEXT_LATER, "T1", 42, 0, NOW + TTL * 1000L);
    assertThat(Commits.openChallenge("alice", "T1", 42, open, NOW, TTL))
        .isEqualTo(
            new Commit("alice", CommitMode.CONSUME, "T1", 42, null, null, null, open, NOW, TTL));
  }
}
