from psynapse.cli import main

main()
