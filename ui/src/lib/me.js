import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export const MeContext = createContext(null);

export function useMe() {
  return useContext(MeContext) || { principal: '', groups: [], roles: [], domains: [] };
}

export function hasRole(me, ...roles) {
  return (me.roles || []).some((r) => roles.includes(r));
}

export function ownsDomain(me, domain) {
  return hasRole(me, 'admin') || (me.domains || []).includes(domain);
}
