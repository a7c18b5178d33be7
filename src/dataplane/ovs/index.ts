/**
 * The Open vSwitch dataplane: `OvsDataplane` programs an OVS bridge over OpenFlow
 * (`ovs-ofctl bundle`), the pipeline's flow text, and its typed error.
 */
export * from './errors.js';
export * from './flows.js';
export * from './ofctl.js';
export * from './ovs-dataplane.js';
