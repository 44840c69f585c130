package dev.jeton.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PinPolicyTest {

  private final PinPolicy policy = new PinPolicy(4, 4, true);

  @Test
  void repeatedDigitsAndStraightRunsAreRefused() {
    for (String pin : new String[] {"0000", "1111", "1234", "0123", "6789", "9876", "3210"}) {
      assertThat(policy.refusal(pin)).as(pin).isNotNull();
    }
  }

  @Test
  void ordinaryPinsOfTheRightLengthAreAccepted() {
    for (String pin : new String[] {"2580", "1357", "9021", "1123", "0987"}) {
      assertThat(policy.refusal(pin)).as(pin).isNull();
    }
  }

  @Test
  void lengthAndDigitsAreEnforcedAndTheRefusalNeverEchoesThePin() {
    assertThat(policy.refusal("258")).isNotNull().doesNotContain("258");
    assertThat(policy.refusal("25801")).isNotNull();
    assertThat(policy.refusal("25a0")).isNotNull().doesNotContain("25a0");
    assertThat(policy.refusal(null)).isNotNull();
    assertThat(new PinPolicy(4, 4, false).refusal("1111")).isNull();
  }
}
