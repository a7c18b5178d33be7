/**
 * The FSM's own names (RFC 4271 8): its six states and the typed reason of every state change.
 * The session layer re-exports them; the FSM imports nothing of the session.
 */

/** RFC 4271 8.2.2: the six states. */
export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/**
 * Why a session changed state. Every `stateChange` carries one.
 * Named after the RFC 4271 8.1 event that caused the change.
 */
export type StateChangeReason =
  | 'manual-start'
  | 'automatic-start'
  | 'idle-hold-timer-expired'
  | 'manual-stop'
  | 'automatic-stop'
  | 'connect-retry-timer-expired'
  | 'delay-open-timer-expired'
  | 'hold-timer-expired'
  /** TCP connection up (Tcp_CR_Acked / TcpConnectionConfirmed) */
  | 'connection-established'
  /** TCP connection could not be set up or was closed by the peer (TcpConnectionFails) */
  | 'connection-failed'
  /** a valid OPEN arrived (BGPOpen, BGPOpen_with_DelayOpenTimer_running) */
  | 'open-received'
  /** the KEEPALIVE that confirms the OPEN arrived (OpenConfirm -> Established) */
  | 'keepalive-received'
  /** the peer sent a message we could not frame (BGPHeaderErr); we sent a NOTIFICATION */
  | 'header-error'
  /** the peer's OPEN was refused (BGPOpenMsgErr); we sent a NOTIFICATION */
  | 'open-error'
  /** a session-reset UPDATE error (UpdateMsgErr); we sent a NOTIFICATION */
  | 'update-error'
  /** the peer sent a NOTIFICATION (NotifMsg, NotifMsgVerErr) */
  | 'notification-received'
  /** the application tore the session down with a NOTIFICATION (`Session.reset`, e.g. max-prefix) */
  | 'notification-sent'
  /** an event the state does not expect (RFC 6608); we sent an FSM-error NOTIFICATION */
  | 'fsm-error'
  /** connection collision (RFC 4271 6.8): this connection lost, Cease/7 sent on it */
  | 'collision'
  /** a graceful-restart peer opened a new session while the old one looked up (RFC 4724 4.2) */
  | 'peer-restarted'
  /** a fault inside our own processing (a bug, or a listener that threw); we sent Cease/4 */
  | 'internal-error';
