import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fsmEvents, hasEntry, states, transition, type Action, type FsmContext, type FsmEvent, type State, type Timer } from '../../src/bgp/fsm/fsm.js';

/**
 * An oracle written separately, straight from the RFC 4271 8.2.2 prose, state by state, for the
 * observable part of each transition: the next state and what goes on the wire / to the socket.
 * Sends are written 'OPEN', 'KEEPALIVE', 'NOTIF 6/2', 'NOTIF event' (the error that came with
 * the event); socket actions 'CONNECT', 'DROP'.
 */
function oracle(s: State, e: FsmEvent, delayOpen: boolean, delayRunning: boolean, passive: boolean): { next: State; out: string[] } {
  const starts = e.startsWith('ManualStart') || e.startsWith('AutomaticStart');
  const passiveStart = e.includes('PassiveTcpEstablishment');
  switch (s) {
    case 'Idle':
      if (starts) return passiveStart ? { next: 'Active', out: [] } : { next: 'Connect', out: ['CONNECT'] };
      if (e === 'IdleHoldTimer_Expires') return passive ? { next: 'Active', out: [] } : { next: 'Connect', out: ['CONNECT'] };
      return { next: 'Idle', out: [] }; // "does not cause change in the state"
    case 'Connect':
    case 'Active': {
      if (starts) return { next: s, out: [] };
      if (e === 'ManualStop') return { next: 'Idle', out: s === 'Active' && delayRunning ? ['NOTIF 6/2', 'DROP'] : ['DROP'] };
      if (e === 'ConnectRetryTimer_Expires') return s === 'Connect' ? { next: 'Connect', out: ['DROP', 'CONNECT'] } : { next: 'Connect', out: ['CONNECT'] };
      if (e === 'DelayOpenTimer_Expires') return { next: 'OpenSent', out: ['OPEN'] };
      if (e === 'TcpConnection_Valid' || e === 'Tcp_CR_Invalid') return { next: s, out: [] };
      if (e === 'Tcp_CR_Acked' || e === 'TcpConnectionConfirmed') return delayOpen ? { next: s, out: [] } : { next: 'OpenSent', out: ['OPEN'] };
      if (e === 'TcpConnectionFails') {
        if (s === 'Connect') return delayRunning ? { next: 'Active', out: [] } : { next: 'Idle', out: ['DROP'] };
        return { next: 'Idle', out: [] };
      }
      if (e === 'BGPOpen_with_DelayOpenTimer_running') return { next: 'OpenConfirm', out: ['OPEN', 'KEEPALIVE'] };
      if (e === 'BGPHeaderErr' || e === 'BGPOpenMsgErr') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'NotifMsgVerErr') return { next: 'Idle', out: ['DROP'] };
      return { next: 'Idle', out: ['DROP'] }; // any other event
    }
    case 'OpenSent':
      if (starts) return { next: s, out: [] };
      if (e === 'ManualStop') return { next: 'Idle', out: ['NOTIF 6/2', 'DROP'] };
      if (e === 'AutomaticStop') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'HoldTimer_Expires') return { next: 'Idle', out: ['NOTIF 4/0', 'DROP'] };
      if (e === 'TcpConnection_Valid' || e === 'Tcp_CR_Acked' || e === 'TcpConnectionConfirmed' || e === 'Tcp_CR_Invalid') return { next: s, out: [] };
      if (e === 'TcpConnectionFails') return { next: 'Active', out: ['DROP'] };
      if (e === 'BGPOpen') return { next: 'OpenConfirm', out: ['KEEPALIVE'] };
      if (e === 'BGPHeaderErr' || e === 'BGPOpenMsgErr') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'OpenCollisionDump') return { next: 'Idle', out: ['NOTIF 6/7', 'DROP'] };
      if (e === 'NotifMsgVerErr') return { next: 'Idle', out: ['DROP'] };
      return { next: 'Idle', out: ['NOTIF 5/1', 'DROP'] }; // RFC 6608
    case 'OpenConfirm':
      if (starts) return { next: s, out: [] };
      if (e === 'ManualStop') return { next: 'Idle', out: ['NOTIF 6/2', 'DROP'] };
      if (e === 'AutomaticStop') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'HoldTimer_Expires') return { next: 'Idle', out: ['NOTIF 4/0', 'DROP'] };
      if (e === 'KeepaliveTimer_Expires') return { next: s, out: ['KEEPALIVE'] };
      if (e === 'TcpConnection_Valid' || e === 'Tcp_CR_Acked' || e === 'TcpConnectionConfirmed' || e === 'Tcp_CR_Invalid') return { next: s, out: [] };
      if (e === 'TcpConnectionFails' || e === 'NotifMsg' || e === 'NotifMsgVerErr') return { next: 'Idle', out: ['DROP'] };
      if (e === 'BGPOpen') return { next: s, out: [] };
      if (e === 'BGPHeaderErr' || e === 'BGPOpenMsgErr') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'OpenCollisionDump') return { next: 'Idle', out: ['NOTIF 6/7', 'DROP'] };
      if (e === 'KeepAliveMsg') return { next: 'Established', out: [] };
      return { next: 'Idle', out: ['NOTIF 5/2', 'DROP'] };
    case 'Established':
      if (starts) return { next: s, out: [] };
      if (e === 'ManualStop') return { next: 'Idle', out: ['NOTIF 6/2', 'DROP'] };
      if (e === 'AutomaticStop') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      if (e === 'HoldTimer_Expires') return { next: 'Idle', out: ['NOTIF 4/0', 'DROP'] };
      if (e === 'KeepaliveTimer_Expires') return { next: s, out: ['KEEPALIVE'] };
      if (e === 'TcpConnection_Valid' || e === 'Tcp_CR_Acked' || e === 'TcpConnectionConfirmed' || e === 'Tcp_CR_Invalid') return { next: s, out: [] };
      if (e === 'OpenCollisionDump') return { next: 'Idle', out: ['NOTIF 6/7', 'DROP'] };
      if (e === 'TcpConnectionFails' || e === 'NotifMsgVerErr' || e === 'NotifMsg') return { next: 'Idle', out: ['DROP'] };
      if (e === 'KeepAliveMsg' || e === 'UpdateMsg' || e === 'RouteRefreshMsg') return { next: s, out: [] };
      if (e === 'UpdateMsgErr') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      // documented deviation: header/OPEN errors send their own NOTIFICATION (RFC 4271 6.1, 6.2)
      if (e === 'BGPHeaderErr' || e === 'BGPOpenMsgErr') return { next: 'Idle', out: ['NOTIF event', 'DROP'] };
      return { next: 'Idle', out: ['NOTIF 5/3', 'DROP'] };
  }
}

function observable(actions: readonly Action[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.type === 'send-open') out.push('OPEN');
    else if (a.type === 'send-keepalive') out.push('KEEPALIVE');
    else if (a.type === 'send-notification') out.push(`NOTIF ${a.code}/${a.subcode}`);
    else if (a.type === 'send-notification-from-event') out.push('NOTIF event');
    else if (a.type === 'connect') out.push('CONNECT');
    else if (a.type === 'drop-connection') out.push('DROP');
  }
  return out;
}

/** A model of the timers, driven by the machine's actions. */
class Timers {
  running = new Set<Timer>();
  apply(actions: readonly Action[]): void {
    for (const a of actions) {
      if (a.type === 'start-timer') this.running.add(a.timer);
      else if (a.type === 'stop-timer') this.running.delete(a.timer);
      else if (a.type === 'release') for (const t of ['hold', 'keepalive', 'delayOpen', 'connectRetry'] as const) this.running.delete(t);
    }
  }
}

const eventArb = fc.constantFrom(...fsmEvents);

describe('FSM transition table (RFC 4271 8.2.2)', () => {
  it('agrees with the RFC oracle on every (state, event, context)', () => {
    let checked = 0;
    for (const s of states) {
      for (const e of fsmEvents) {
        for (const delayOpen of [false, true]) {
          for (const delayRunning of [false, true]) {
            for (const passive of [false, true]) {
              const ctx: FsmContext = { delayOpen, delayOpenTimerRunning: delayRunning, passive };
              const got = transition(s, e, ctx);
              const want = oracle(s, e, delayOpen, delayRunning, passive);
              expect({ s, e, delayOpen, delayRunning, next: got.next, out: observable(got.actions) }).toEqual({ s, e, delayOpen, delayRunning, next: want.next, out: want.out });
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(6 * fsmEvents.length * 8);
  });

  it('is pure: the same input gives the identical, frozen result', () => {
    const ctx: FsmContext = { delayOpen: false, delayOpenTimerRunning: false, passive: false };
    const a = transition('Established', 'UpdateMsg', ctx);
    expect(transition('Established', 'UpdateMsg', ctx)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.actions)).toBe(true);
  });

  it('answers an unexpected event with the RFC 6608 subcode of the state', () => {
    const ctx: FsmContext = { delayOpen: false, delayOpenTimerRunning: false, passive: false };
    expect(hasEntry('OpenSent', 'UpdateMsg')).toBe(false);
    const sub = (s: State) => transition(s, 'UpdateMsg', ctx).actions.find((a) => a.type === 'send-notification');
    expect(sub('OpenSent')).toEqual({ type: 'send-notification', code: 5, subcode: 1 });
    expect(sub('OpenConfirm')).toEqual({ type: 'send-notification', code: 5, subcode: 2 });
    expect(transition('Established', 'BGPOpen', ctx).actions).toContainEqual({ type: 'send-notification', code: 5, subcode: 3 });
    expect(transition('OpenSent', 'UpdateMsg', ctx).next).toBe('Idle');
    expect(transition('OpenSent', 'UpdateMsg', ctx).reason).toBe('fsm-error');
  });

  it('model-based: random event sequences keep the timer invariants of each state', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(eventArb, { maxLength: 60 }), (delayOpen, passive, events) => {
        let s: State = 'Idle';
        const timers = new Timers();
        const path: State[] = [s];
        for (const e of events) {
          const r = transition(s, e, { delayOpen, delayOpenTimerRunning: timers.running.has('delayOpen'), passive });
          const want = oracle(s, e, delayOpen, timers.running.has('delayOpen'), passive);
          expect(r.next).toBe(want.next);
          timers.apply(r.actions);
          if (r.next !== s) expect(typeof r.reason).toBe('string');
          s = r.next;
          path.push(s);
          // RFC 4271 8.2.2 invariants
          if (s === 'Idle' && r.actions.length > 0) {
            expect(timers.running.has('hold')).toBe(false);
            expect(timers.running.has('keepalive')).toBe(false);
            expect(timers.running.has('delayOpen')).toBe(false);
          }
          if (s === 'Connect' || s === 'Active') expect(timers.running.has('connectRetry') || timers.running.has('delayOpen')).toBe(true);
          if (s === 'OpenSent') expect(timers.running.has('hold')).toBe(true);
          if (s === 'Established') expect(timers.running.has('hold') && timers.running.has('keepalive')).toBe(true);
        }
        // Established is only ever entered from OpenConfirm
        for (let i = 1; i < path.length; i++) if (path[i] === 'Established' && path[i - 1] !== 'Established') expect(path[i - 1]).toBe('OpenConfirm');
      }),
      { numRuns: 500 },
    );
  });

  it('a ManualStop from any state reaches Idle and releases every timer', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        let s: State = 'Idle';
        const timers = new Timers();
        const ctx = () => ({ delayOpen: false, delayOpenTimerRunning: timers.running.has('delayOpen'), passive: false });
        for (const e of events) {
          const r = transition(s, e, ctx());
          timers.apply(r.actions);
          s = r.next;
        }
        const r = transition(s, 'ManualStop', ctx());
        timers.apply(r.actions);
        expect(r.next).toBe('Idle');
        if (s !== 'Idle') expect([...timers.running]).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the happy path, active side: Idle -> Connect -> OpenSent -> OpenConfirm -> Established', () => {
    const ctx: FsmContext = { delayOpen: false, delayOpenTimerRunning: false, passive: false };
    const seq: [FsmEvent, State][] = [
      ['ManualStart', 'Connect'],
      ['Tcp_CR_Acked', 'OpenSent'],
      ['BGPOpen', 'OpenConfirm'],
      ['KeepAliveMsg', 'Established'],
    ];
    let s: State = 'Idle';
    for (const [e, want] of seq) {
      const r = transition(s, e, ctx);
      expect(r.next).toBe(want);
      s = r.next;
    }
    expect(transition('OpenSent', 'HoldTimer_Expires', ctx).actions).toContainEqual({ type: 'send-notification', code: 4, subcode: 0 });
    expect(transition('Connect', 'Tcp_CR_Acked', ctx).actions).toContainEqual({ type: 'start-timer', timer: 'hold', large: true });
  });

  it('DelayOpen: the OPEN waits for the timer or the peer', () => {
    const ctx: FsmContext = { delayOpen: true, delayOpenTimerRunning: false, passive: true };
    const r1 = transition('Active', 'TcpConnectionConfirmed', ctx);
    expect(r1.next).toBe('Active');
    expect(r1.actions).toContainEqual({ type: 'start-timer', timer: 'delayOpen' });
    expect(observable(r1.actions)).toEqual([]);
    const r2 = transition('Active', 'BGPOpen_with_DelayOpenTimer_running', { ...ctx, delayOpenTimerRunning: true });
    expect(r2.next).toBe('OpenConfirm');
    expect(observable(r2.actions)).toEqual(['OPEN', 'KEEPALIVE']);
    expect(transition('Active', 'DelayOpenTimer_Expires', ctx).next).toBe('OpenSent');
  });
});
