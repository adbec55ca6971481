// @ctr/ns-native — the syscall layer of ctr. See README.md for the threading rules it obeys.
export { netlinkOpen, netlinkSend, netlinkRecv, closeFd } from './netlink.js';
