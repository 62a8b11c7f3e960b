package dev.netctl.ctl;

import dev.netctl.ipam.IpamException;

/**
 * Which exit code each IPAM refusal gets, so a script can tell "that address is taken" (try
 * another) from "that address is outside every pool" (fix the input) without parsing messages.
 */
final class IpamExitCodes {
  private IpamExitCodes() {}

  static int of(IpamException e) {
    // Exhaustive over the sealed hierarchy: a new refusal must be given a code here.
    return switch (e) {
      case IpamException.AddressNotInPool x -> ExitCode.INVALID;
      case IpamException.AddressInUse x -> ExitCode.ALREADY_EXISTS;
      case IpamException.AddressNotAllocated x -> ExitCode.NOT_FOUND;
      case IpamException.HandleMismatch x -> ExitCode.CONFLICT;
      case IpamException.UnknownHandle x -> ExitCode.NOT_FOUND;
      case IpamException.UnknownNode x -> ExitCode.NOT_FOUND;
      case IpamException.UnknownPool x -> ExitCode.NOT_FOUND;
      case IpamException.PoolNotUsable x -> ExitCode.INVALID;
      case IpamException.NoPoolForNode x -> ExitCode.INVALID;
      case IpamException.PoolExhausted x -> ExitCode.EXHAUSTED;
      case IpamException.PoolInUse x -> ExitCode.CONFLICT;
      case IpamException.BlockInUse x -> ExitCode.CONFLICT;
      case IpamException.InvalidRequest x -> ExitCode.INVALID;
      case IpamException.Contention x -> ExitCode.CONFLICT;
    };
  }
}
