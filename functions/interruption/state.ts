/** The document of the spot-interruption state machine: ids and counters only. */
export interface InterruptionState {
  /** The execution's name (log key). */
  execution?: string;
  instanceId: string;
  kind: 'interruption' | 'rebalance';
  action?: string;
  noticeAt: string;
  deadline: string;
  managed: boolean;
  cluster?: string;
  containerInstanceArn?: string;
  reason?: string;
  drain?: DrainStart;
  watch?: Watch;
}

export interface DrainStart {
  tasksAtNotice: number;
  wasAlreadyDraining: boolean;
  targetsDeregistered: number;
  waitSeconds: number;
}

export interface Watch {
  status: 'waiting' | 'moved' | 'gone' | 'timedOut';
  tasksLeft: number;
  moved: number;
  lost: number;
  polls: number;
  waitSeconds: number;
}

/** How long past the two-minute notice the watch goes on (the reclaim is not to the second). */
export const NOTICE_SECONDS = 120;
export const MARGIN_SECONDS = 60;
/** A rebalance recommendation has no deadline of its own: drain within this bound. */
export const REBALANCE_SECONDS = 900;
export const POLL_SECONDS = 10;
