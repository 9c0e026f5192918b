fn main() {
    println!("lvstop: under construction");
}
