//! The table `build` makes, served from memory (no kernel, no VM): for
//! profiling the monitor's UI thread on the host (`bench tui-memory`),
//! where the kernel's share of the polling thread is absent. Each call
//! hands over fresh lists, as the kernel client does.

use std::collections::HashMap;

use lvstop::backend::{Error, ErrorKind, Reader};
use lvstop::model::{Dest, Info, Service, ServiceKey, Timeouts};

use super::build::{dest, service_key};

pub struct Memory {
    services: Vec<Service>,
    index: HashMap<ServiceKey, usize>,
    dests: Vec<Dest>,
}

impl Memory {
    pub fn new(services: u32, dests: u32) -> Memory {
        let services: Vec<Service> = (0..services)
            .map(|i| Service::new(service_key(i), "wlc"))
            .collect();
        Memory {
            index: services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key, i))
                .collect(),
            services,
            // In the kernel's order: each new real server goes first.
            dests: (0..dests).rev().map(dest).collect(),
        }
    }
}

impl Reader for Memory {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(Info {
            version: 0x010201,
            conn_tab_size: 4096,
        })
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self.services.clone())
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        match self.index.get(key) {
            Some(&i) => Ok(self.services[i].clone()),
            None => Err(Error::new(ErrorKind::NotFound, "no such service")),
        }
    }
    fn dests(&mut self, _: &ServiceKey) -> Result<Vec<Dest>, Error> {
        Ok(self.dests.clone())
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Ok(Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300,
        })
    }
    fn estimator_running(&mut self) -> Option<bool> {
        Some(true)
    }
}
