// network.ts — the bridge network of one container: an address from IPAM, then @ctr/netns wires the veth
// (peer born inside the container's netns), the bridge port, addresses and routes over rtnetlink.
// Leases are held by the container's ctr-shim (pid + start time) and by its veth, so the lease of a container
// whose shim is gone is reclaimable once the kernel has deleted the veth with the container's netns. The subnet
// comes from config.ts; ctr refuses a subnet that a host route it did not create already covers, since packets
// would then go two ways. That needs a dump of the host's routes, so it is done when ctr is about to make or
// configure the bridge (missing, down, or not a bridge), not for every container on a bridge that is up: ctr
// brings its bridge up only after this check passed. A route added later is reported by `ctr check`.
// One host netlink socket serves the whole process: every request on it is synchronous, so containers set up
// at once in one process never interleave on it. See: rtnetlink(7), veth(4).
import path from 'node:path';
import {
  Ipam, NetlinkSocket, connectContainer, disconnectContainer, findLink, findOverlappingRoutes, listRoutes,
  parseCidr, type Link,
} from '@ctr/netns';
import { bridgeNetwork, stateRoot } from './config.js';
import { CtrError, asCtrError, invalid } from './errors.js';
import { stopPoint } from './stop-points.js';

export interface BridgeLink {
  ip: string;
  hostIfname: string;
  /** removes the veth (if the netns has not already destroyed it) and releases the lease */
  release(): void;
}

/** Leases of the bridge network; the gateway (first address of the subnet) is never handed out. */
export function ipam(): Ipam {
  return new Ipam({ dir: path.join(stateRoot, 'ipam', bridgeNetwork.bridge), subnet: bridgeNetwork.subnet });
}

/** Refuses a bad `--ip` (syntax, outside the subnet, network/broadcast/gateway) before anything exists. */
export function validateRequestedIp(ip: string): string {
  try {
    ipam().validateStatic(ip);
  } catch (err) {
    throw invalid(`invalid --ip "${ip}": ${(err as Error).message}; use a free address inside ${bridgeNetwork.subnet}`);
  }
  return ip;
}

/** Refuses a subnet that overlaps a host route not on ctr's own bridge, naming both. */
export function checkOverlap(sock: NetlinkSocket): void {
  refuseOverlap(sock, findLink(sock, bridgeNetwork.bridge));
}

function refuseOverlap(sock: NetlinkSocket, bridge: Link | undefined): void {
  const subnet = parseCidr(bridgeNetwork.subnet);
  const clash = findOverlappingRoutes(listRoutes(sock).filter((r) => r.table === 254), subnet, bridge?.index)[0];
  if (clash) {
    throw new CtrError(
      `ctr's subnet ${bridgeNetwork.subnet} overlaps the host route ${clash.dst}${clash.oif ? ` (ifindex ${clash.oif})` : ''}; ` +
        'set CTR_SUBNET to a free range',
      { code: 'ERR_CTR_SUBNET_OVERLAP' },
    );
  }
}

let shared: NetlinkSocket | undefined;

/** The process's host netlink socket, opened on first use (it stays open for the life of the process). */
function hostSocket(): NetlinkSocket {
  return (shared ??= NetlinkSocket.open());
}

export function connectBridge(opts: { owner: string; holderPid: number; containerPid: number; requestedIp?: string; id: string }): BridgeLink {
  const sock = hostSocket();
  const bridge = findLink(sock, bridgeNetwork.bridge);
  if (!bridge?.up || bridge.kind !== 'bridge') refuseOverlap(sock, bridge);
  const leases = ipam();
  const hostIfname = `vc${opts.id.slice(0, 12)}`;
  let lease;
  try {
    lease = leases.allocate({
      owner: opts.owner, pid: opts.holderPid, link: hostIfname, ...(opts.requestedIp ? { requested: opts.requestedIp } : {}),
    });
  } catch (err) {
    if (opts.requestedIp) throw asCtrError(err, `cannot use --ip ${opts.requestedIp}`);
    throw asCtrError(err, 'no address for the container');
  }
  stopPoint('network:lease');
  try {
    connectContainer({
      bridge: bridgeNetwork.bridge,
      bridgeAddress: `${lease.gateway}/${lease.prefixLen}`,
      hostIfname,
      containerPid: opts.containerPid,
      address: lease.cidr,
      gateway: lease.gateway,
      hostSocket: sock,
      ...(bridge ? { bridgeLink: bridge } : {}),
    });
  } catch (err) {
    leases.release(lease.address);
    throw asCtrError(err, 'network setup failed');
  }
  stopPoint('network:veth');
  return {
    ip: lease.address,
    hostIfname,
    release() {
      try {
        disconnectContainer(hostIfname, hostSocket());
      } finally {
        leases.release(lease.address);
      }
    },
  };
}
