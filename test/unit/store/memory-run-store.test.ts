import { describe } from 'vitest';
import { MemoryRunStore } from '../../../src/store/memory-run-store.js';
import { runStoreContract } from './run-store-contract.js';

describe('MemoryRunStore', () => {
  const store = new MemoryRunStore();
  runStoreContract(
    () => store,
    (name) => `memory-${name}`,
  );
});
