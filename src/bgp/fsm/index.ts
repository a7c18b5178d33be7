/** The RFC 4271 FSM as a pure transition table. */
export { transition, hasEntry, type Transition } from './fsm.js';
export { fsmEvents, states as fsmStates, type FsmEvent, type Action as FsmAction, type Timer as FsmTimer, type FsmContext } from './actions.js';
