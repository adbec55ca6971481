// network.ts — the bridge network of one container: an address from IPAM, then @ctr/netns wires the veth
// (peer born inside the container's netns), the bridge port, addresses and routes over rtnetlink.
// Leases are held by the container's ctr-shim (pid + start time) and by its veth, so the lease of a container
// whose shim is gone is reclaimable once the kernel has deleted the veth with the container's netns. The subnet comes from config.ts; ctr refuses a subnet that a host route it did not create
// already covers, since packets would then go two ways. See: rtnetlink(7), veth(4).
import path from 'node:path';
import {
  Ipam, NetlinkSocket, connectContainer, disconnectContainer, findLink, findOverlappingRoutes, listRoutes,
  parseCidr,
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
  const subnet = parseCidr(bridgeNetwork.subnet);
  const bridge = findLink(sock, bridgeNetwork.bridge);
  const clash = findOverlappingRoutes(listRoutes(sock).filter((r) => r.table === 254), subnet, bridge?.index)[0];
  if (clash) {
    throw new CtrError(
      `ctr's subnet ${bridgeNetwork.subnet} overlaps the host route ${clash.dst}${clash.oif ? ` (ifindex ${clash.oif})` : ''}; ` +
        'set CTR_SUBNET to a free range',
      { code: 'ERR_CTR_SUBNET_OVERLAP' },
    );
  }
}

export function connectBridge(opts: { owner: string; holderPid: number; containerPid: number; requestedIp?: string; id: string }): BridgeLink {
  const sock = NetlinkSocket.open();
  try {
    checkOverlap(sock);
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
          disconnectContainer(hostIfname);
        } finally {
          leases.release(lease.address);
        }
      },
    };
  } finally {
    sock.close();
  }
}
