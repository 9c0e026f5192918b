//! A table of any size served at memory speed: every service has the same
//! real servers, and each call hands over fresh lists as the kernel client
//! does. For profiling the monitor without a kernel.

use std::collections::HashMap;

use crate::backend::{Error, ErrorKind, Reader};
use crate::model::{Dest, Info, Service, ServiceKey, Timeouts};

pub struct UniformTable {
    services: Vec<Service>,
    index: HashMap<ServiceKey, usize>,
    dests: Vec<Dest>,
}

impl UniformTable {
    /// `services`, each with `dests` in the order given.
    pub fn new(services: Vec<Service>, dests: Vec<Dest>) -> UniformTable {
        UniformTable {
            index: services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key, i))
                .collect(),
            services,
            dests,
        }
    }
}

impl Reader for UniformTable {
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
