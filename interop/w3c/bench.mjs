// Verifications per second of one eddsa-rdfc-2022 credential (argv[2], JSON) with
// @digitalbazaar/vc, for crates/saifu-credential/benches/w3c_di.rs to print beside saifu's rate.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {loader} from './loader.mjs';

const documentLoader = loader();

const credential = JSON.parse(process.argv[2]);
const suite = new DataIntegrityProof({cryptosuite: eddsa});
const once = async () => {
  const r = await vc.verifyCredential({credential, suite, documentLoader, now: new Date('2024-01-01')});
  if(!r.verified) {
    throw new Error(JSON.stringify(r.error?.message ?? r));
  }
};
for(let i = 0; i < 20; i++) {
  await once();
}
const start = process.hrtime.bigint();
// CPU time too: on a shared machine the wall-clock rate mostly measures the neighbours.
const cpuStart = process.cpuUsage();
let n = 0;
while(Number(process.hrtime.bigint() - start) < 3e9) {
  await once();
  n++;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({
  perSecond: n / seconds, perCpuSecond: n / cpuSeconds, iterations: n
}));
