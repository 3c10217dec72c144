/**
 * What a process without a harness (a build) writes to stderr, then the `hostname:port`, the first time the
 * probe blocks an outbound connection: the probe writes it, the build's failure hint reads it from the log.
 */
export const blockedLinePrefix = 'leakwatch: blocked an outbound connection that no upstream stub claims: ';
